// Package audit runs the night audit: it posts room charges to the open
// folios, closes the folios of departed guests and writes the daily report.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	cf3 "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"marten/internal/kvrest"
)

const (
	auditLease      = 45 * time.Second
	reportRetention = 400 * 24 * time.Hour
	maxClosePerRun  = 5000
)

// Charge is one line of a folio.
type Charge struct {
	Code   string    `json:"code"`
	Amount int64     `json:"amount_minor"`
	Night  string    `json:"night"`
	Posted time.Time `json:"posted"`
}

// Folio is the bill of one stay.
type Folio struct {
	ID        string   `json:"id"`
	Room      string   `json:"room"`
	Rate      int64    `json:"rate_minor"`
	Departure string   `json:"departure"`
	Charges   []Charge `json:"charges"`
}

// Report is the night-audit summary of one business day.
type Report struct {
	Property string    `json:"property"`
	Day      string    `json:"day"`
	Posted   int       `json:"posted"`
	Closed   int       `json:"closed"`
	Revenue  int64     `json:"revenue_minor"`
	Carry    int64     `json:"carry_minor"`
	Finished time.Time `json:"finished"`
}

// Auditor runs the audit of one property.
type Auditor struct {
	ns       kvrest.Namespace
	property string
	steps    map[string]func(ctx context.Context, rep *Report) error
	mu       sync.Mutex
}

// New returns the auditor of property on namespace ns.
func New(ns kvrest.Namespace, property string) *Auditor {
	a := &Auditor{ns: ns, property: property}
	a.steps = map[string]func(context.Context, *Report) error{
		"postings": a.postRoomCharges,
		"folios":   a.closeFolios,
		"carry":    a.carryForward,
	}
	return a
}

func (a *Auditor) key(parts ...string) string {
	return "audit/" + a.property + "/" + strings.Join(parts, "/")
}

var ErrRunning = errors.New("audit: another audit of this day is running")

func isNotFound(err error) bool {
	var apiErr *cf3.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// acquire claims the day so that a second scheduler run does not post the
// room charges twice.
func (a *Auditor) acquire(ctx context.Context, day string) error {
	lock := a.key("lock", day)
	_, err := a.ns.Get(ctx, lock)
	switch {
	case err == nil:
		return ErrRunning
	case !isNotFound(err):
		return err
	}
	client, account, nsID := a.ns.Client()
	_, err = client.KV.Namespaces.Bulk.Update(ctx, nsID, kv.NamespaceBulkUpdateParams{ // EXPECT kvrace
		AccountID: cf3.F(account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cf3.F(lock),
			Value:      cf3.F(time.Now().UTC().Format(time.RFC3339)),
			Expiration: cf3.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
		}},
	})
	return err
}

// Run executes the named steps in order for the business day that ends now.
func (a *Auditor) Run(ctx context.Context, stepNames []string) (rep Report, err error) {
	day := time.Now().Add(-6 * time.Hour).Format("2006-01-02")
	rep = Report{Property: a.property, Day: day}
	if err := a.acquire(ctx, day); err != nil {
		return rep, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("audit %s: step panicked: %v", day, r)
		}
	}()

	tx := kvrest.Stage(a.ns)
	tx.Put(a.key("in-progress"), []byte(day), auditLease) // EXPECT kvttl
	if err := tx.Commit(ctx); err != nil {
		return rep, err
	}
	for _, name := range stepNames {
		step, ok := a.steps[name]
		if !ok {
			return rep, fmt.Errorf("audit: unknown step %q", name)
		}
		if err := step(ctx, &rep); err != nil {
			return rep, fmt.Errorf("audit step %s: %w", name, err)
		}
	}
	rep.Finished = time.Now().UTC()
	return rep, a.writeReport(ctx, rep)
}

// postRoomCharges posts the nightly room rate to every open folio.
func (a *Auditor) postRoomCharges(ctx context.Context, rep *Report) error {
	client, account, nsID := a.ns.Client()
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cf3.F(account),
		Prefix:    cf3.F(a.key("folio", "open") + "/"),
	})
	errc := make(chan error, 64)
	var wg sync.WaitGroup
	for iter.Next() {
		name := iter.Current().Name
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, err := a.ns.Get(ctx, name) // EXPECT kvlist
			if err != nil {
				errc <- err
				return
			}
			var f Folio
			if err := json.Unmarshal(raw, &f); err != nil {
				errc <- fmt.Errorf("%s: %w", name, err)
				return
			}
			f.Charges = append(f.Charges, Charge{Code: "ROOM", Amount: f.Rate, Night: rep.Day, Posted: time.Now().UTC()})
			if err := a.ns.Put(ctx, name, []byte(kvrestJSON(f)), nil); err != nil { // EXPECT kvrace
				errc <- err
				return
			}
			a.mu.Lock()
			rep.Posted++
			rep.Revenue += f.Rate
			a.mu.Unlock()
		}()
	}
	go func() { wg.Wait(); close(errc) }()
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	return errors.Join(append(errs, iter.Err())...)
}

func kvrestJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// closeFolios moves the folios of guests who departed to the closed set.
func (a *Auditor) closeFolios(ctx context.Context, rep *Report) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	client, account, nsID := a.ns.Client()
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, nsID, kv.NamespaceKeyListParams{
		AccountID: cf3.F(account),
		Prefix:    cf3.F(a.key("folio", "open") + "/"),
		Limit:     cf3.F(1000.0),
	})
	tx := kvrest.Stage(a.ns)
	seen := 0
	for iter.Next() && seen < maxClosePerRun {
		seen++
		k := iter.Current()
		dep, _ := k.Metadata["departure"].(string)
		if dep == "" || dep > rep.Day {
			continue
		}
		id := k.Name[strings.LastIndexByte(k.Name, '/')+1:]
		tx.Put(a.key("folio", "closed", id), []byte(kvrestJSON(k.Metadata)), 0)
		tx.Delete(k.Name)
		rep.Closed++
		progress := fmt.Sprintf(`{"day":%q,"seen":%d,"closed":%d}`, rep.Day, seen, rep.Closed)
		if err := a.ns.Put(ctx, a.key("progress"), []byte(progress), nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// carryForward reads yesterday's closing balance of the city ledger.
func (a *Auditor) carryForward(ctx context.Context, rep *Report) error {
	raw, err := a.ns.Get(ctx, a.key("ledger", "closing"))
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		rep.Carry = 0
		return nil
	}
	carry, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		return fmt.Errorf("closing balance: %w", err)
	}
	rep.Carry = carry + rep.Revenue
	return nil
}
