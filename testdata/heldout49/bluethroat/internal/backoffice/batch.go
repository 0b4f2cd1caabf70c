package backoffice

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/tablekeep/bluethroat/internal/cfkv"
	"github.com/tablekeep/bluethroat/internal/model"
)

// Job is one back-office batch job.
type Job interface {
	Name() string
	Run(ctx context.Context) error
}

// RunAll runs jobs in order, or only the one called only if it is not empty,
// and reports every failure.
func RunAll(ctx context.Context, jobs []Job, only string) error {
	var errs []error
	ran := 0
	for _, j := range jobs {
		if only != "" && j.Name() != only {
			continue
		}
		ran++
		start := time.Now()
		if err := j.Run(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", j.Name(), err))
			continue
		}
		log.Printf("%s: done in %s", j.Name(), time.Since(start).Round(time.Millisecond))
	}
	if ran == 0 {
		return fmt.Errorf("backoffice: no job named %q", only)
	}
	return errors.Join(errs...)
}

// Calendar seeds the open-slot calendar the marketing site reads for a new restaurant.
type Calendar struct {
	Store      *cfkv.Store
	Restaurant string
	From       time.Time
}

const (
	seedDays    = 120
	slotsPerDay = 96 // quarter hours
)

func (Calendar) Name() string { return "seed-calendar" }

// Run implements Job.
func (c Calendar) Run(ctx context.Context) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, seedDays*slotsPerDay)
	for d := 0; d < seedDays; d++ {
		day := c.From.AddDate(0, 0, d)
		for s := 0; s < slotsPerDay; s++ {
			at := day.Add(time.Duration(s) * 15 * time.Minute)
			body[d*slotsPerDay+s] = kv.NamespaceBulkUpdateParamsBody{
				Key:        cloudflare.F("cal:" + c.Restaurant + ":" + at.Format("2006-01-02T15:04")),
				Value:      cloudflare.F("open"),
				Expiration: cloudflare.F(float64(at.Add(24 * time.Hour).Unix())),
			}
		}
	}
	res, err := c.Store.Client.KV.Namespaces.BulkUpdate(ctx, c.Store.Namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.Store.AccountID), Body: body}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("seed-calendar: %d keys not written", n)
	}
	return nil
}

// Offboard removes a departing restaurant's slot holds.
type Offboard struct {
	Store      *cfkv.Store
	Restaurant string
}

func (Offboard) Name() string { return "offboard" }

// Run implements Job.
func (o Offboard) Run(ctx context.Context) error {
	iter := o.Store.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, o.Store.Namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(o.Store.AccountID),
		Prefix:    cloudflare.F(model.PrefixSlot + o.Restaurant + ":"),
	})
	var keys []string
	for iter.Next() {
		keys = append(keys, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return o.Store.BulkDelete(ctx, keys)
}

// NoShowExport writes every guest's no-show tally as CSV for the CRM.
type NoShowExport struct {
	Store *cfkv.Store
	Out   io.Writer
}

func (NoShowExport) Name() string { return "export-no-shows" }

// Run implements Job.
func (e NoShowExport) Run(ctx context.Context) error {
	w := csv.NewWriter(e.Out)
	if err := w.Write([]string{"guest_id", "no_shows"}); err != nil {
		return err
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.Store.AccountID),
		Prefix:    cloudflare.F(model.PrefixNoShow),
		Limit:     cloudflare.F(1000.0),
	}
	for {
		page, err := e.Store.Client.KV.Namespaces.Keys.List(ctx, e.Store.Namespace, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			raw, err := e.Store.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return err
			}
			guest := k.Name[len(model.PrefixNoShow):]
			if err := w.Write([]string{guest, string(raw)}); err != nil {
				return err
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	w.Flush()
	return w.Error()
}

// CoversExport writes the stored covers reports for the accounting system.
type CoversExport struct {
	Store   *cfkv.Store
	Out     io.Writer
	MaxKeys int
}

func (CoversExport) Name() string { return "export-covers" }

// Run implements Job.
func (e CoversExport) Run(ctx context.Context) error {
	var keys []string
	err := e.Store.Each(ctx, model.PrefixCovers, e.MaxKeys, func(key string, _ cfkv.Meta) error {
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		return err
	}
	w := csv.NewWriter(e.Out)
	for start := 0; start < len(keys); start += 100 {
		chunk := keys[start:min(start+100, len(keys))]
		res, err := e.Store.Client.KV.Namespaces.BulkGet(ctx, e.Store.Namespace, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(e.Store.AccountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return err
		}
		vals, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			return fmt.Errorf("export-covers: unexpected bulk get shape")
		}
		for _, k := range chunk {
			v, ok := vals.Values[k]
			if !ok || v == nil {
				continue
			}
			if err := w.Write([]string{k, fmt.Sprint(v)}); err != nil {
				return err
			}
		}
	}
	w.Flush()
	return w.Error()
}

// Reminders texts tomorrow's guests and spends each restaurant's monthly SMS quota.
type Reminders struct {
	Store        *cfkv.Store
	Restaurants  []string
	Send         func(ctx context.Context, guestID, text string) error
	MonthlyQuota int
	Now          func() time.Time
}

func (Reminders) Name() string { return "reminders" }

// Run implements Job.
func (r Reminders) Run(ctx context.Context) error {
	date := r.Now().AddDate(0, 0, 1).Format(model.DayLayout)
	for _, rest := range r.Restaurants {
		quotaKey := "quota:sms:" + rest
		left := r.MonthlyQuota
		raw, err := r.Store.Get(ctx, quotaKey)
		switch {
		case err == nil:
			if left, err = strconv.Atoi(string(raw)); err != nil {
				return fmt.Errorf("reminders: quota %s: %w", rest, err)
			}
		case !errors.Is(err, cfkv.ErrNotFound):
			return err
		}
		if left <= 0 {
			log.Printf("reminders: %s has no SMS left this month", rest)
			continue
		}
		idxRaw, err := r.Store.Get(ctx, model.PrefixDayIndex+model.DayKey(rest, date))
		if errors.Is(err, cfkv.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		var idx model.DayIndex
		if err := idx.UnmarshalBinary(idxRaw); err != nil {
			return err
		}
		sent := 0
		for _, e := range idx.Entries {
			if sent >= left {
				break
			}
			if err := r.Send(ctx, e.GuestID, "See you tomorrow! Reply C to cancel."); err != nil {
				log.Printf("reminders: %s: %v", e.BookingID, err)
				continue
			}
			sent++
			if err := r.Store.Put(ctx, "reminded:"+e.BookingID, []byte(date), 72*time.Hour); err != nil {
				return err
			}
		}
		if err := r.Store.Put(ctx, quotaKey, []byte(strconv.Itoa(left-sent)), 0); err != nil { // EXPECT kvcounter|kvrace
			return err
		}
	}
	return nil
}

// Peek prints the first keys under a prefix, for on-call debugging.
func Peek(ctx context.Context, s *cfkv.Store, prefix string, out io.Writer) error {
	page, err := s.Client.KV.Namespaces.Keys.List(ctx, s.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Fprintf(out, "%s\t%v\n", k.Name, k.Metadata)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Fprintf(out, "... more (cursor %s)\n", page.ResultInfo.Cursor)
	}
	return nil
}
