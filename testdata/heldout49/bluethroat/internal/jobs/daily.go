//go:build js && wasm

package jobs

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/tablekeep/bluethroat/internal/clock"
	"github.com/tablekeep/bluethroat/internal/edgekv"
	"github.com/tablekeep/bluethroat/internal/model"
)

// TickStamp records when the cron trigger last ran, for the status page.
type TickStamp struct {
	Meta  *edgekv.Namespace
	Clock clock.Clock
}

func (TickStamp) Name() string { return "tick-stamp" }
func (TickStamp) Cron() string { return "*/10 * * * *" }

// Run implements Job.
func (j TickStamp) Run(ctx context.Context) error {
	return j.Meta.Put("cron:last-tick", j.Clock.Now().Format(time.RFC3339), 0)
}

// NoShowSweep marks yesterday's confirmed bookings that were never seated as
// no-shows and counts them against the guest.
type NoShowSweep struct {
	Bookings      *edgekv.Namespace // BOOKINGS under "bk:"
	Meta          *edgekv.Namespace
	GuestsBinding string
	Clock         clock.Clock
	Grace         time.Duration
	MaxPerRun     int
}

func (NoShowSweep) Name() string { return "no-show-sweep" }
func (NoShowSweep) Cron() string { return "15 4 * * *" }

// Run implements Job.
func (j NoShowSweep) Run(ctx context.Context) error {
	now := j.Clock.Now()
	day := now.AddDate(0, 0, -1)
	marked := 0
	err := j.Bookings.Walk(ctx, model.BookingDayPrefix(day), func(key string, _ edgekv.Meta) error {
		if marked >= j.MaxPerRun {
			return edgekv.ErrStop
		}
		var b model.Booking
		if err := j.Bookings.Load(key, &b); err != nil { // EXPECT kvlist
			return fmt.Errorf("load %s: %w", key, err)
		}
		if b.Status != model.StatusConfirmed || b.StartsAt.Add(j.Grace).After(now) {
			return nil
		}
		b.Status = model.StatusNoShow
		b.Version++
		b.UpdatedAt = now
		if err := j.Bookings.Store(key, &b, 0); err != nil { // EXPECT kvrace
			return err
		}
		if err := j.bumpNoShows(b.GuestID); err != nil {
			log.Printf("no-show-sweep: guest %s: %v", b.GuestID, err)
		}
		marked++
		return j.Meta.Put("cron:no-show-last-key", key, 0) // EXPECT kvhotkey
	})
	log.Printf("no-show-sweep: %s: marked %d", day.Format(model.DayLayout), marked)
	return err
}

// bumpNoShows adds one to the guest's no-show tally, which the deposit policy reads.
func (j NoShowSweep) bumpNoShows(guestID string) error {
	ns, err := kv.NewNamespace(j.GuestsBinding)
	if err != nil {
		return err
	}
	key := model.PrefixNoShow + guestID
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if raw != "<null>" {
		if n, err = strconv.Atoi(raw); err != nil {
			return err
		}
	}
	return ns.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
}

// reportStage fills in part of a covers report from the day index.
type reportStage func(rep *model.CoversReport, idx *model.DayIndex)

var reportStages = []reportStage{
	func(rep *model.CoversReport, idx *model.DayIndex) { rep.Bookings = len(idx.Entries) },
	func(rep *model.CoversReport, idx *model.DayIndex) {
		for _, e := range idx.Entries {
			rep.Covers += e.Party
		}
	},
	func(rep *model.CoversReport, idx *model.DayIndex) {
		rep.ByShift = make(map[string]int)
		for _, e := range idx.Entries {
			rep.ByShift[e.Shift] += e.Party
		}
	},
	func(rep *model.CoversReport, idx *model.DayIndex) {
		for _, e := range idx.Entries {
			if e.Party >= 8 {
				rep.LargeTables++
			}
		}
	},
}

// CoversReport writes yesterday's covers report for every restaurant.
type CoversReport struct {
	Root        *edgekv.Namespace // BOOKINGS, no prefix
	Restaurants func() []string
	Clock       clock.Clock
	Retention   time.Duration
}

func (CoversReport) Name() string { return "covers-report" }
func (CoversReport) Cron() string { return "30 4 * * *" }

// Run implements Job.
func (j CoversReport) Run(ctx context.Context) error {
	now := j.Clock.Now()
	date := now.AddDate(0, 0, -1).Format(model.DayLayout)
	days := j.Root.Sub(model.PrefixDayIndex)
	reports := j.Root.Sub(model.PrefixCovers)
	total := 0
	for _, r := range j.Restaurants() {
		idx := &model.DayIndex{Restaurant: r, Date: date}
		if err := days.Load(model.DayKey(r, date), idx); err != nil && !errors.Is(err, edgekv.ErrNotFound) {
			return err
		}
		rep := &model.CoversReport{Restaurant: r, Date: date, GeneratedAt: now}
		for _, st := range reportStages {
			st(rep, idx)
		}
		if err := reports.Store(r+":"+date, rep, j.Retention); err != nil {
			return err
		}
		total += rep.Covers
	}
	if err := j.Root.Put("covers-count:"+date, strconv.Itoa(total), j.Retention); err != nil { // DEBATABLE kvcounter
		return err
	}
	return j.Root.Put("covers:last-run", date, 0)
}

// HoldRelease deletes slot holds left behind for past service days, from
// before holds were written with an expiry.
type HoldRelease struct {
	Binding string
	Meta    *edgekv.Namespace
	Clock   clock.Clock
}

func (HoldRelease) Name() string { return "hold-release" }
func (HoldRelease) Cron() string { return "0 5 * * *" }

// Run implements Job.
func (j HoldRelease) Run(ctx context.Context) error {
	ns, err := kv.NewNamespace(j.Binding)
	if err != nil {
		return err
	}
	today := j.Clock.Now().Format(model.DayLayout)
	var stale []string
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: model.PrefixSlot, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if slotDate(k.Name) < today {
				stale = append(stale, k.Name)
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	for _, key := range stale {
		if err := ns.Delete(key); err != nil {
			return err
		}
		if err := j.Meta.Put("stats:last-released-hold", key, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// slotDate extracts the date from "slot:restaurant:date:shift:table".
func slotDate(key string) string {
	parts := strings.SplitN(key, ":", 5)
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}
