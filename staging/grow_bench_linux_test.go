package staging

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkPageWrite writes pages (4 KiB, SQLite's default, and 16 KiB,
// staging's) one after the other, as SQLite writes a growing database,
// into a file that grows with every write (append) and into one whose
// blocks were allocated first (preallocated): the difference is what
// Grower saves. Figures are in bench/RESULTS.md.
//
//	go test ./staging -run '^$' -bench PageWrite -benchtime 100000x
func BenchmarkPageWrite(b *testing.B) {
	for _, size := range []int{4096, 16384} {
		for _, pre := range []bool{false, true} {
			name := fmt.Sprintf("%dKiB/append", size/1024)
			if pre {
				name = fmt.Sprintf("%dKiB/preallocated", size/1024)
			}
			b.Run(name, func(b *testing.B) { benchPageWrite(b, size, pre) })
		}
	}
}

func benchPageWrite(b *testing.B, size int, pre bool) {
	page := make([]byte, size)
	f, err := os.Create(filepath.Join(b.TempDir(), "pages"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if pre {
		if err := allocate(f, 0, int64(b.N)*int64(size)); err != nil {
			b.Skipf("fallocate: %v", err)
		}
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := range b.N {
		if _, err := f.WriteAt(page, int64(i)*int64(size)); err != nil {
			b.Fatal(err)
		}
	}
}
