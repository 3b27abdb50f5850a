package firebase_test

import (
	"errors"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/firebase"
)

// TestHashConfig reads the parameters in every form the console and the
// tools around it write, and rejects what is not them with the line and the
// key.
func TestHashConfig(t *testing.T) {
	sk := readmeHash.SignerKey
	tests := []struct {
		name, text string
		want       firebase.HashConfig
		line       int
		field      string
	}{
		{"wrapped json", `{"hash_config": {"algorithm": "SCRYPT", "base64_signer_key": "` + sk + `", "base64_salt_separator": "Bw==", "rounds": 8, "mem_cost": 14}}`, readmeHash, 0, ""},
		{"flat json, numbers as strings", `{"base64_signer_key": "` + sk + `", "base64_salt_separator": "Bw==", "rounds": "8", "mem_cost": "14"}`, readmeHash, 0, ""},
		{"console block", "hash_config {\n  algorithm: SCRYPT,\n  base64_signer_key: " + sk + ",\n  base64_salt_separator: Bw==,\n  rounds: 8,\n  mem_cost: 14,\n}\n", readmeHash, 0, ""},
		{"console block on one line", "hash_config { algorithm: SCRYPT, base64_signer_key: " + sk + ", base64_salt_separator: Bw==, rounds: 8, mem_cost: 14 }", readmeHash, 0, ""},
		{"url-safe unpadded keys", `{"base64_signer_key": "` + urlSafe(sk) + `", "base64_salt_separator": "Bw", "rounds": 8, "mem_cost": 14}`, readmeHash, 0, ""},
		{"missing key", "hash_config {\n  base64_signer_key: " + sk + ",\n  rounds: 8,\n  mem_cost: 14,\n}", firebase.HashConfig{}, 1, "base64_salt_separator"},
		{"not base64", "hash_config {\n  base64_signer_key: not*base64,\n  base64_salt_separator: Bw==,\n  rounds: 8,\n  mem_cost: 14,\n}", firebase.HashConfig{}, 2, "base64_signer_key"},
		{"rounds not a number", "{\n \"base64_signer_key\": \"" + sk + "\",\n \"base64_salt_separator\": \"Bw==\",\n \"rounds\": \"eight\",\n \"mem_cost\": 14\n}", firebase.HashConfig{}, 4, "rounds"},
		{"zero mem_cost", `{"base64_signer_key": "` + sk + `", "base64_salt_separator": "Bw==", "rounds": 8, "mem_cost": 0}`, firebase.HashConfig{}, 1, "mem_cost"},
		{"other algorithm", "hash_config {\n  algorithm: BCRYPT,\n}", firebase.HashConfig{}, 2, "algorithm"},
		{"typo", "{\"base64_signer_key\": \"" + sk + "\",\n\"memCost\": 14}", firebase.HashConfig{}, 2, "memCost"},
		{"bad json", "{\"rounds\": 8,,}", firebase.HashConfig{}, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := firebase.ParseHashConfig("hash.txt", []byte(tc.text))
			if tc.line == 0 {
				if err != nil || got != tc.want {
					t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			var le *ingest.LineError
			if !errors.As(err, &le) || le.File != "hash.txt" || le.Line != tc.line || le.Field != tc.field {
				t.Errorf("error %v, want hash.txt:%d field %q", err, tc.line, tc.field)
			}
		})
	}
}
