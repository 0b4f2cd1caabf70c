//go:build js && wasm

package jobs

import (
	"context"
	"encoding/json"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/tablekeep/bluethroat/internal/clock"
	"github.com/tablekeep/bluethroat/internal/model"
)

// auditPageSize is how many session keys SessionAudit reads per request.
const auditPageSize = 2000

// WaitlistPurge deletes waitlists of past days once the hosts have closed them.
type WaitlistPurge struct {
	Binding string
	Clock   clock.Clock
	Keep    int // days
}

func (WaitlistPurge) Name() string { return "waitlist-purge" }
func (WaitlistPurge) Cron() string { return "0 6 * * *" }

// Run implements Job.
func (j WaitlistPurge) Run(ctx context.Context) error {
	ns, err := kv.NewNamespace(j.Binding)
	if err != nil {
		return err
	}
	cutoff := j.Clock.Now().AddDate(0, 0, -j.Keep).Format(model.DayLayout)
	cursor := ""
	deleted := 0
	for page := 0; page < 50; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: model.PrefixWaitlist, Cursor: cursor, Limit: 500}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			i := strings.LastIndexByte(k.Name, ':')
			if i < 0 || k.Name[i+1:] >= cutoff {
				continue
			}
			if err := ns.Delete(k.Name); err != nil {
				return err
			}
			deleted++
		}
		cursor = res.Cursor
	}
	log.Printf("waitlist-purge: deleted %d", deleted)
	return nil
}

// SessionAudit logs how many guest sessions are live and how many end within
// the hour, for capacity planning of the sign-in SMS budget.
type SessionAudit struct {
	Binding string
	Clock   clock.Clock
}

func (SessionAudit) Name() string { return "session-audit" }
func (SessionAudit) Cron() string { return "0 * * * *" }

// Run implements Job.
func (j SessionAudit) Run(ctx context.Context) error {
	ns, err := kv.NewNamespace(j.Binding)
	if err != nil {
		return err
	}
	soon := j.Clock.Now().Add(time.Hour).Unix()
	live, ending := 0, 0
	opts := &kv.ListOptions{
		Prefix: model.PrefixSession,
		Limit:  auditPageSize, // EXPECT kvlimits
	}
	for page := 0; page < 20; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			live++
			if k.Expiration > 0 && int64(k.Expiration) < soon {
				ending++
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
	log.Printf("session-audit: %d live, %d ending within the hour", live, ending)
	return nil
}

// AvailabilitySnapshot publishes, per restaurant, how many tables are held in
// each of today's shifts; the marketing site reads it.
type AvailabilitySnapshot struct {
	Binding     string
	Restaurants func() []string
	Shifts      []string
	Clock       clock.Clock
}

func (AvailabilitySnapshot) Name() string { return "availability-snapshot" }
func (AvailabilitySnapshot) Cron() string { return "*/10 * * * *" }

// Run implements Job.
func (j AvailabilitySnapshot) Run(ctx context.Context) error {
	ns, err := kv.NewNamespace(j.Binding)
	if err != nil {
		return err
	}
	date := j.Clock.Now().Format(model.DayLayout)
	for _, r := range j.Restaurants() {
		held := make(map[string]int, len(j.Shifts))
		for _, shift := range j.Shifts {
			res, err := ns.List(&kv.ListOptions{ // EXPECT kvlist
				Prefix: model.PrefixSlot + model.ShiftPrefix(r, date, shift),
				Limit:  5000, // EXPECT kvlimits
			})
			if err != nil {
				return err
			}
			held[shift] = len(res.Keys)
		}
		body, err := json.Marshal(map[string]any{"date": date, "held": held})
		if err != nil {
			return err
		}
		if err := ns.PutString("avail:"+r+":"+date, string(body), &kv.PutOptions{ExpirationTTL: 3600}); err != nil {
			return err
		}
	}
	return nil
}
