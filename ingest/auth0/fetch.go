package auth0

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/auth0/go-auth0"
	"github.com/auth0/go-auth0/management"

	"github.com/mig-tools/mig/ingest"
)

// The resources records come from, as the sink's file argument.
const (
	fileUsers       = "auth0:/api/v2/users"
	fileOrgs        = "auth0:/api/v2/organizations"
	fileRoles       = "auth0:/api/v2/roles"
	fileConnections = "auth0:/api/v2/connections"
)

// Limits of the users engines.
const (
	// usersListLimit is how many users the users list serves: beyond it,
	// only the users-exports job reaches.
	usersListLimit = 1000
)

// ErrUsersListLimit is returned when the users list cannot serve the whole
// tenant: the management-api engine stops before handing any user over.
var ErrUsersListLimit = errors.New("the Management API's users list serves only the first 1,000 users")

// errExportExpired is what waitJob returns for an export job Auth0 no
// longer has: ReadExport then creates another.
var errExportExpired = errors.New("the users-exports job no longer exists")

// Fetch reads what o asks for from an Auth0 tenant and hands it to sink:
// users (or skips, each with its reason), organizations, memberships, role
// definitions, member roles and SSO connections, with warnings. It touches
// no database.
//
// resume is the last checkpoint the caller stored (the zero Checkpoint for
// a new fetch). After each page whose records it handed over, Fetch calls
// onCheckpoint; an error from it stops the fetch. The last checkpoint it
// reports is Done.
//
// With the bulk-job engine, Fetch creates the users-exports job (the
// checkpoint keeps its id, so a resumed fetch does not create another) and
// hands over no user: ReadExport reads them, given the last checkpoint,
// after the rest of the tenant was fetched while Auth0 built the file.
func Fetch(ctx context.Context, o Options, sink ingest.DefinitionSink, resume Checkpoint, onCheckpoint func(Checkpoint) error) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.UseMetadata && o.wants(EntityMemberships) && !o.wants(EntityUsers) {
		return errors.New("memberships from metadata are read with the users: add users to the entities")
	}
	if o.clock == nil {
		o.clock = realClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if onCheckpoint == nil {
		onCheckpoint = func(Checkpoint) error { return nil }
	}
	if resume.Done() {
		return nil
	}
	start := 0
	if resume.Phase != "" {
		start = slices.Index(phases, resume.Phase)
		if start < 0 {
			return fmt.Errorf("auth0: the checkpoint names an unknown phase %q", resume.Phase)
		}
	}
	if resume.Engine != "" && resume.Engine != o.engine() {
		return fmt.Errorf("auth0: the interrupted fetch used the %s engine; resume it with the same engine", resume.Engine)
	}
	c, err := newClient(ctx, o)
	if err != nil {
		return err
	}
	f := &fetcher{o: o, c: c, sink: sink, save: onCheckpoint, m: newMapper(o, resume.Warned), log: o.Log, cp: resume.clone(),
		handed: map[string]bool{}}
	for _, k := range resume.Warned {
		f.handed[k] = true
	}
	f.cp.Engine = o.engine()
	if f.cp.Phase == "" {
		f.cp.Phase = phases[0]
	}
	for i := start; i < len(phases); i++ {
		began := time.Now()
		if err := f.run(ctx, phases[i]); err != nil {
			return err
		}
		f.log.Info("auth0 phase done", "phase", phases[i], "elapsed", time.Since(began).Round(time.Millisecond))
		nextPhase := phaseDone
		if i+1 < len(phases) {
			nextPhase = phases[i+1]
		}
		f.cp = f.cp.next(nextPhase)
		if err := f.checkpoint(); err != nil {
			return err
		}
	}
	return nil
}

// fetcher is one fetch under way.
type fetcher struct {
	o    Options
	c    *client
	sink ingest.DefinitionSink
	save func(Checkpoint) error
	m    *mapper
	log  *slog.Logger
	cp   Checkpoint
	// handed holds the once-per-run warnings handed to the sink, which the
	// checkpoint records.
	handed map[string]bool
}

// checkpoint reports the cursor to the caller.
func (f *fetcher) checkpoint() error {
	f.cp.Warned = slices.Sorted(maps.Keys(f.handed))
	return f.save(f.cp.clone())
}

func (f *fetcher) run(ctx context.Context, phase string) error {
	switch phase {
	case phaseSSO:
		if f.o.wants(EntitySSO) {
			return f.connections(ctx)
		}
	case phaseRoles:
		if f.o.wants(EntityRoles) {
			return f.roles(ctx)
		}
	case phaseUsers:
		if f.o.wants(EntityUsers) {
			if f.o.engine() == EngineBulkJob {
				return f.exportJob(ctx)
			}
			return f.usersList(ctx)
		}
	case phaseOrgs:
		if f.o.wants(EntityOrganizations) || f.o.wants(EntityMemberships) && !f.o.UseMetadata {
			return f.organizations(ctx)
		}
	}
	return nil
}

// warnOnce hands w over unless a warning under key was given already.
func (f *fetcher) warnOnce(ctx context.Context, key string, w ingest.Warning) error {
	if !f.m.once(key) {
		return nil
	}
	f.handed[key] = true
	return f.sink.Warn(ctx, w)
}

func (f *fetcher) per() string { return strconv.Itoa(f.o.pageSize()) }

// hand gives the sink what one user became.
func (f *fetcher) hand(ctx context.Context, file string, row int, r userResult) error {
	for _, k := range f.m.settle(&r) {
		f.handed[k] = true
	}
	for _, w := range r.Warnings {
		if err := f.sink.Warn(ctx, w); err != nil {
			return err
		}
	}
	if r.User == nil {
		return f.sink.Skip(ctx, file, row, r.SourceID, r.Email, r.Skip, r.Raw)
	}
	if err := f.sink.AddUser(ctx, file, r.User); err != nil {
		return err
	}
	for _, o := range r.Orgs {
		if err := f.sink.AddOrgMappingRow(ctx, file, o); err != nil {
			return err
		}
	}
	return nil
}

// usersStarting gives the warnings that belong to the users of a whole
// fetch, once, before the first user.
func (f *fetcher) usersStarting(ctx context.Context) error {
	if f.o.UseMetadata && f.o.wants(EntityRoles) && f.o.wants(EntityMemberships) {
		if err := f.warnOnce(ctx, "metadata_no_member_roles", ingest.Warning{Code: "metadata_no_member_roles", Entity: "membership",
			Message: "memberships are read from app_metadata, which has no roles: no role is assigned to members (the role catalog is still staged)"}); err != nil {
			return err
		}
	}
	if f.o.engine() != EngineBulkJob {
		return nil
	}
	msg := "the users-exports job carries no organization membership; memberships are read from the organizations' members instead"
	switch {
	case f.o.UseMetadata:
		msg = "the users-exports job carries no organization membership; memberships are read from app_metadata"
	case !f.o.wants(EntityMemberships):
		msg = "the users-exports job carries no organization membership, and memberships were not asked for: users are staged without organizations"
	}
	return f.warnOnce(ctx, "bulk_export_no_org_membership", ingest.Warning{Code: "bulk_export_no_org_membership", Entity: "membership", Message: msg})
}

// usersList reads users page by page from GET /api/v2/users, which serves
// at most 1,000: a bigger tenant (or connection) stops the fetch before
// any user is handed over.
func (f *fetcher) usersList(ctx context.Context) error {
	per := f.o.pageSize()
	q := url.Values{"per_page": {f.per()}, "include_totals": {"true"}, "sort": {"created_at:1"}}
	if f.o.ConnectionID != "" {
		var conn apiConnection
		if err := f.c.get(ctx, &conn, nil, "connections", f.o.ConnectionID); err != nil {
			return err
		}
		q.Set("search_engine", "v3")
		q.Set("q", `identities.connection:"`+conn.Name+`"`)
	}
	if f.cp.Page == 0 {
		if err := f.usersStarting(ctx); err != nil {
			return err
		}
	}
	for page := f.cp.Page; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var resp struct {
			Users []json.RawMessage `json:"users"`
			Total int               `json:"total"`
		}
		if err := f.c.get(ctx, &resp, q, "users"); err != nil {
			var me management.Error
			if errors.As(err, &me) && me.Status() == http.StatusBadRequest && strings.Contains(err.Error(), "1000") {
				return fmt.Errorf("auth0 users: %w; read this tenant with the bulk-job engine (%v)", ErrUsersListLimit, err)
			}
			return err
		}
		if resp.Total > usersListLimit {
			return fmt.Errorf("auth0 users: the tenant has %d users and %w; read it with the bulk-job engine (the users-exports job)", resp.Total, ErrUsersListLimit)
		}
		for i, raw := range resp.Users {
			row := page*per + i + 1
			r, err := f.m.mapUser(raw, fileUsers, row)
			if err != nil {
				return err
			}
			if err := f.hand(ctx, fileUsers, row, r); err != nil {
				return err
			}
		}
		if len(resp.Users) < per || (page+1)*per >= resp.Total {
			return nil
		}
		f.cp.Page = page + 1
		if err := f.checkpoint(); err != nil {
			return err
		}
	}
}

// exportJob creates the users-exports job a bulk-job fetch reads its
// users from, unless the checkpoint has one already, and checkpoints its
// id.
func (f *fetcher) exportJob(ctx context.Context) error {
	if f.cp.JobID != "" {
		return nil
	}
	if err := f.usersStarting(ctx); err != nil {
		return err
	}
	id, err := f.createJob(ctx)
	if err != nil {
		return err
	}
	f.cp.JobID = id
	return f.checkpoint()
}

// createJob asks Auth0 for a users export in NDJSON, with every field the
// mapping reads, and returns the job's id.
func (f *fetcher) createJob(ctx context.Context) (string, error) {
	fields := make([]map[string]any, len(exportFields))
	for i, n := range exportFields {
		fields[i] = map[string]any{"name": n}
	}
	job := &management.Job{Format: auth0.String("json"), Fields: fields}
	if f.o.ConnectionID != "" {
		job.ConnectionID = auth0.String(f.o.ConnectionID)
	}
	if err := f.c.m.Job.ExportUsers(ctx, job); err != nil {
		return "", fmt.Errorf("auth0 POST /api/v2/jobs/users-exports: %w", err)
	}
	if job.GetID() == "" {
		return "", errors.New("auth0 POST /api/v2/jobs/users-exports: the answer has no job id")
	}
	f.log.Info("auth0 users-exports job created", "job", job.GetID())
	return job.GetID(), nil
}

// ReadExport reads the users of a bulk-job fetch whose last checkpoint is
// cp: it waits for the users-exports job the fetch created, downloads its
// gzip NDJSON file and streams it, a line at a time (never held whole, the
// lines bounded by o.Settings.Limits), handing each user (or skip) to sink
// with its warnings and, with UseMetadata, its memberships. A job that
// Auth0 no longer has (it keeps export files for a limited time) is created
// again: ReadExport runs inside the ingest's one transaction, so nothing
// of the first job's file was staged.
//
// Run again after an interruption, it reads the same job's file from its
// start; the job is not created again.
func ReadExport(ctx context.Context, o Options, cp Checkpoint, sink ingest.DefinitionSink) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if cp.JobID == "" {
		return errors.New("auth0: the fetch created no users-exports job to read")
	}
	if o.clock == nil {
		o.clock = realClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	c, err := newClient(ctx, o)
	if err != nil {
		return err
	}
	f := &fetcher{o: o, c: c, sink: sink, save: func(Checkpoint) error { return nil }, m: newMapper(o, cp.Warned), log: o.Log,
		cp: cp.clone(), handed: map[string]bool{}}
	loc, err := f.waitJob(ctx, cp.JobID)
	if errors.Is(err, errExportExpired) {
		f.log.Warn("the users-exports job is gone; creating another", "job", cp.JobID)
		if f.cp.JobID, err = f.createJob(ctx); err == nil {
			loc, err = f.waitJob(ctx, f.cp.JobID)
		}
	}
	if err != nil {
		return err
	}
	body, err := f.openExport(ctx, loc)
	if err != nil {
		return err
	}
	defer body.Close()
	file := "auth0:/api/v2/jobs/" + f.cp.JobID
	nr, err := ingest.NewNDJSONReader(file, body, o.Settings.Limits)
	if err != nil {
		return err
	}
	began := time.Now()
	n, err := decodeExport(ctx, nr, f.m, file, func() { body.Close() }, func(line int, r userResult) error { return f.hand(ctx, file, line, r) })
	f.log.Info("auth0 export read", "job", f.cp.JobID, "lines", n, "elapsed", time.Since(began).Round(time.Millisecond))
	return err
}

// Export lines are mapped by exportWorkers goroutines, exportBatch lines
// at a time, while one more reads and decompresses the file and the
// caller's goroutine hands the users over in file order: mapping a line
// costs more than writing it, and on two cores one goroutine mapping held
// the writes back.
const (
	exportWorkers = 2
	exportBatch   = 256
)

// exportBatchOf is a run of export lines, mapped.
type exportBatchOf struct {
	seq   int
	lines [][]byte
	nums  []int
	res   []userResult
	err   error // the read or mapping error after the lines mapped
}

// decodeExport maps each line of an export file and hands the results on,
// in file order, returning how many lines it handed on. closeInput stops
// a read under way when decodeExport returns early.
func decodeExport(ctx context.Context, nr *ingest.NDJSONReader, m *mapper, file string, closeInput func(), hand func(line int, r userResult) error) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		closeInput()
		wg.Wait()
	}()
	in := make(chan *exportBatchOf, 2*exportWorkers)
	out := make(chan *exportBatchOf, 2*exportWorkers)
	send := func(ch chan<- *exportBatchOf, b *exportBatchOf) bool {
		select {
		case ch <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(in)
		for seq := 0; ; seq++ {
			b := &exportBatchOf{seq: seq}
			for len(b.lines) < exportBatch && b.err == nil {
				line, num, err := nr.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					b.err = err
					break
				}
				// The reader reuses the line; the user's raw copy keeps it.
				b.lines = append(b.lines, bytes.Clone(line))
				b.nums = append(b.nums, num)
			}
			if b.err == nil {
				b.err = ctx.Err()
			}
			if len(b.lines) == 0 && b.err == nil || !send(in, b) || b.err != nil || len(b.lines) < exportBatch {
				return
			}
		}
	}()
	var workers sync.WaitGroup
	for range exportWorkers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for b := range in {
				b.res = make([]userResult, 0, len(b.lines))
				for i, line := range b.lines {
					r, err := m.mapUser(line, file, b.nums[i])
					if err == nil && r.User != nil {
						err = r.User.Encode()
					}
					if err != nil {
						b.err = err
						break
					}
					b.res = append(b.res, r)
				}
				if !send(out, b) {
					return
				}
			}
		}()
	}
	go func() {
		workers.Wait()
		close(out)
	}()
	handed, next := 0, 0
	waiting := map[int]*exportBatchOf{}
	for b := range out {
		waiting[b.seq] = b
		for b := waiting[next]; b != nil; b = waiting[next] {
			delete(waiting, next)
			next++
			for i, r := range b.res {
				if err := hand(b.nums[i], r); err != nil {
					return handed, err
				}
				handed++
			}
			if b.err != nil {
				return handed, b.err
			}
		}
	}
	return handed, ctx.Err()
}

// waitJob polls an export job until it is completed, backing off from one
// second to thirty (less when Auth0 says how long is left), and returns the
// file's location.
func (f *fetcher) waitJob(ctx context.Context, id string) (string, error) {
	for attempt := 0; ; attempt++ {
		job, err := f.c.m.Job.Read(ctx, id)
		if err != nil {
			var me management.Error
			if errors.As(err, &me) && me.Status() == http.StatusNotFound {
				return "", fmt.Errorf("auth0 job %s: %w (Auth0 keeps export files for a limited time)", id, errExportExpired)
			}
			return "", fmt.Errorf("auth0 GET /api/v2/jobs/%s: %w", id, err)
		}
		switch job.GetStatus() {
		case "completed":
			if job.GetLocation() == "" {
				return "", fmt.Errorf("auth0 job %s is completed but gives no file location", id)
			}
			return job.GetLocation(), nil
		case "failed":
			return "", fmt.Errorf("auth0 users-exports job %s failed; see the tenant's logs, then run the ingest again", id)
		}
		wait := min(time.Second<<min(attempt, 5), 30*time.Second)
		if left := job.GetTimeLeftSeconds(); left > 0 {
			wait = min(max(time.Duration(left)*time.Second, time.Second), 30*time.Second)
		}
		f.log.Info("auth0 users-exports job not ready", "job", id, "status", job.GetStatus(), "percent", job.GetPercentageDone(), "next_poll", wait)
		if err := f.o.clock.Sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

// openExport downloads an export file and returns its body, which
// ingest.NewNDJSONReader decompresses. The location is a pre-signed
// storage URL: no token goes to it.
func (f *fetcher) openExport(ctx context.Context, loc string) (io.ReadCloser, error) {
	// The location's query is a signature that grants the file to whoever
	// holds it: errors name the file without it.
	where := loc
	if u, err := url.Parse(loc); err == nil {
		u.RawQuery, u.Fragment = "", ""
		where = u.Redacted()
	} else {
		return nil, errors.New("auth0 export: the job's location is not a URL")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, fmt.Errorf("auth0 export %s: %v", where, errors.Unwrap(err))
	}
	resp, err := f.c.download.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("auth0 export download %s: %w", where, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("auth0 export download %s: %s", where, resp.Status)
	}
	return resp.Body, nil
}

// apiOrg is an organization as the organizations endpoints give it.
type apiOrg struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	DisplayName string            `json:"display_name"`
	Metadata    map[string]string `json:"metadata"`
}

// apiMember is one member of an organization. Roles is nil when the answer
// did not include them (a token without read:organization_member_roles).
type apiMember struct {
	UserID string     `json:"user_id"`
	Roles  *[]apiRole `json:"roles"`
}

// organizations reads the organizations (checkpoint pagination, or the ids
// in Options.Orgs) and, for each, its members and their roles.
func (f *fetcher) organizations(ctx context.Context) error {
	if len(f.o.Orgs) > 0 {
		for i := f.cp.Index; i < len(f.o.Orgs); i++ {
			var org apiOrg
			if err := f.c.get(ctx, &org, nil, "organizations", f.o.Orgs[i]); err != nil {
				return err
			}
			if err := f.organization(ctx, org); err != nil {
				return err
			}
			f.cp.Index++
			if err := f.checkpoint(); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		q := url.Values{"take": {f.per()}}
		if f.cp.From != "" {
			q.Set("from", f.cp.From)
		}
		var page struct {
			Organizations []apiOrg `json:"organizations"`
			Next          string   `json:"next"`
		}
		if err := f.c.get(ctx, &page, q, "organizations"); err != nil {
			return err
		}
		for i := f.cp.Index; i < len(page.Organizations); i++ {
			if err := f.organization(ctx, page.Organizations[i]); err != nil {
				return err
			}
			f.cp.Index++
			if err := f.checkpoint(); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		f.cp.From, f.cp.Index = page.Next, 0
		if err := f.checkpoint(); err != nil {
			return err
		}
	}
}

// organization hands one organization over with its members, checkpointing
// after each page of members; on return the organization is finished.
func (f *fetcher) organization(ctx context.Context, org apiOrg) error {
	name := org.DisplayName
	if name == "" {
		name = org.Name
	}
	if f.cp.MembersFrom == "" && f.o.wants(EntityOrganizations) {
		o := ingest.Organization{Row: f.cp.OrgsDone + 1, ExternalID: org.ID, Name: name, Metadata: org.Metadata}
		if err := f.sink.AddOrganization(ctx, fileOrgs, o); err != nil {
			return err
		}
	}
	defer func() { f.cp.OrgsDone, f.cp.MembersFrom, f.cp.Rows = f.cp.OrgsDone+1, "", 0 }()
	if !f.o.wants(EntityMemberships) || f.o.UseMetadata {
		return nil
	}
	file := fileOrgs + "/" + org.ID + "/members"
	withRoles := f.o.wants(EntityRoles)
	fields := "user_id"
	if withRoles {
		fields = "user_id,roles"
	}
	for {
		q := url.Values{"take": {f.per()}, "fields": {fields}, "include_fields": {"true"}}
		if f.cp.MembersFrom != "" {
			q.Set("from", f.cp.MembersFrom)
		}
		var page struct {
			Members []apiMember `json:"members"`
			Next    string      `json:"next"`
		}
		if err := f.c.get(ctx, &page, q, "organizations", org.ID, "members"); err != nil {
			return err
		}
		for _, m := range page.Members {
			f.cp.Rows++
			row := ingest.OrgMappingRow{Row: f.cp.Rows, SourceUserID: m.UserID, OrgExternalID: org.ID, OrgName: name}
			if err := f.sink.AddOrgMappingRow(ctx, file, row); err != nil {
				return err
			}
			if !withRoles {
				continue
			}
			roles := m.Roles
			if roles == nil {
				rs, err := f.memberRoles(ctx, org.ID, m.UserID)
				if err != nil {
					return err
				}
				roles = &rs
			}
			for _, r := range *roles {
				if err := f.memberRole(ctx, file, org.ID, m.UserID, r); err != nil {
					return err
				}
			}
		}
		if page.Next == "" {
			return nil
		}
		f.cp.MembersFrom = page.Next
		if err := f.checkpoint(); err != nil {
			return err
		}
	}
}

// memberRoles asks for one member's roles, for a members answer that did
// not include them.
func (f *fetcher) memberRoles(ctx context.Context, org, user string) ([]apiRole, error) {
	var all []apiRole
	for page := 0; ; page++ {
		var resp struct {
			Roles []apiRole `json:"roles"`
			Total int       `json:"total"`
		}
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {f.per()}, "include_totals": {"true"}}
		if err := f.c.get(ctx, &resp, q, "organizations", org, "members", user, "roles"); err != nil {
			return nil, err
		}
		all = append(all, resp.Roles...)
		if len(resp.Roles) < f.o.pageSize() || len(all) >= resp.Total {
			return all, nil
		}
	}
}

// memberRole hands one member role over, under the catalog's slug.
func (f *fetcher) memberRole(ctx context.Context, file, org, user string, r apiRole) error {
	slug, ok := f.cp.RoleSlugs[r.ID]
	if !ok {
		return f.sink.Warn(ctx, ingest.Warning{Code: "role_unknown", Entity: "membership", SourceID: user, File: file, Row: f.cp.Rows,
			Message: fmt.Sprintf("member %s has role %q (%s) in %s, which the role catalog read earlier does not have; the role is not assigned", user, r.Name, r.ID, org),
			Context: map[string]any{"role_id": r.ID, "organization": org}})
	}
	return f.sink.AddRoleMappingRow(ctx, file, ingest.RoleMappingRow{Row: f.cp.Rows, SourceUserID: user, RoleSlug: slug, OrgExternalID: org})
}

// roles reads the role catalog and each role's permissions, and hands the
// role definitions over under stable slugs. The catalog is small: it is one
// unit, with no checkpoint inside.
func (f *fetcher) roles(ctx context.Context) error {
	var roles []apiRole
	for page := 0; ; page++ {
		var resp struct {
			Roles []apiRole `json:"roles"`
			Total int       `json:"total"`
		}
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {f.per()}, "include_totals": {"true"}}
		if err := f.c.get(ctx, &resp, q, "roles"); err != nil {
			return err
		}
		roles = append(roles, resp.Roles...)
		if len(resp.Roles) < f.o.pageSize() || len(roles) >= resp.Total {
			break
		}
	}
	slugs, collisions := roleSlugs(roles)
	for _, c := range collisions {
		if err := f.sink.Warn(ctx, collisionWarning(c, fileRoles)); err != nil {
			return err
		}
	}
	for i, r := range roles {
		var perms []string
		for page := 0; ; page++ {
			var resp struct {
				Permissions []struct {
					Name string `json:"permission_name"`
				} `json:"permissions"`
				Total int `json:"total"`
			}
			q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {f.per()}, "include_totals": {"true"}}
			if err := f.c.get(ctx, &resp, q, "roles", r.ID, "permissions"); err != nil {
				return err
			}
			for _, p := range resp.Permissions {
				if !slices.Contains(perms, p.Name) {
					perms = append(perms, p.Name)
				}
			}
			if len(resp.Permissions) < f.o.pageSize() || (page+1)*f.o.pageSize() >= resp.Total {
				break
			}
		}
		def := ingest.RoleDefinition{Row: i + 1, Slug: slugs[r.ID], Name: r.Name, Description: r.Description, Permissions: perms}
		if err := f.sink.AddRoleDefinition(ctx, fileRoles, def); err != nil {
			return err
		}
	}
	f.cp.RoleSlugs = slugs
	return nil
}

// connections reads the enterprise connections and hands over those that
// can be handed off to WorkOS.
func (f *fetcher) connections(ctx context.Context) error {
	per := f.o.pageSize()
	q := url.Values{"strategy": ssoStrategies(), "per_page": {f.per()}, "include_totals": {"true"}}
	for page := f.cp.Page; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var resp struct {
			Connections []json.RawMessage `json:"connections"`
			Total       int               `json:"total"`
		}
		if err := f.c.get(ctx, &resp, q, "connections"); err != nil {
			return err
		}
		for i, raw := range resp.Connections {
			row := page*per + i + 1
			c, err := decodeConnection(raw)
			if err != nil {
				return &ingest.LineError{File: fileConnections, Line: row, Msg: err.Error()}
			}
			conn, warns := mapConnection(c, row, f.c.base, fileConnections)
			for _, w := range warns {
				if err := f.sink.Warn(ctx, w); err != nil {
					return err
				}
			}
			if conn != nil {
				if err := f.sink.AddSSOConnection(ctx, fileConnections, *conn); err != nil {
					return err
				}
			}
		}
		if len(resp.Connections) < per || (page+1)*per >= resp.Total {
			return nil
		}
		f.cp.Page = page + 1
		if err := f.checkpoint(); err != nil {
			return err
		}
	}
}
