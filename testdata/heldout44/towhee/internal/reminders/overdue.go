//go:build js && wasm

// Package reminders finds loans that are about to fall due and sends the
// overdue reminders, from a daily cron trigger and a queue consumer.
package reminders

import (
	"context"
	"encoding/json"
	"log"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/riverside-libraries/towhee/internal/config"
	"github.com/riverside-libraries/towhee/internal/keys"
)

// Queue is the queue the cron feeds and the consumer drains.
const Queue = "towhee-reminders"

const lockKey = "lock:reminders"

// Loan is the record the backend stores under keys.Loan.
type Loan struct {
	Card     string    `json:"card"`
	ItemID   int64     `json:"item_id"`
	Title    string    `json:"title"`
	Branch   string    `json:"branch"`
	Due      time.Time `json:"due"`
	Renewals int       `json:"renewals"`
	Email    string    `json:"email"`
}

// Job is one reminder to send.
type Job struct {
	Card   string    `json:"card"`
	ItemID int64     `json:"item_id"`
	Title  string    `json:"title"`
	Email  string    `json:"email"`
	Due    time.Time `json:"due"`
}

// Scanner is the cron side. Its fields are set once in main.
type Scanner struct {
	Binding string
	Cfg     config.Config
}

// Run is the cron task: list every loan, enqueue a reminder for those due
// within the lead time.
func (s Scanner) Run(ctx context.Context) error {
	ns, err := cloudflare.NewKVNamespace(s.Binding)
	if err != nil {
		return err
	}
	holder, _ := ns.GetString(lockKey, nil)
	if holder != "<null>" {
		log.Printf("reminder scan already running since %s", holder)
		return nil
	}
	started := time.Now().UTC()
	if err := ns.PutString(lockKey, started.Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600}); err != nil { // EXPECT kvrace
		return err
	}
	defer func() {
		if err := ns.Delete(lockKey); err != nil {
			log.Printf("release lock: %v", err)
		}
	}()

	producer, err := queues.NewProducer("REMINDERS")
	if err != nil {
		return err
	}
	cutoff := s.Cfg.NextReminder(started)
	opts := cloudflare.KVNamespaceListOptions{Prefix: keys.LoanPrefix, Limit: 1000}
	queued := 0
	for {
		res, err := ns.List(&opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || raw == "<null>" {
				continue
			}
			var loan Loan
			if err := json.Unmarshal([]byte(raw), &loan); err != nil {
				log.Printf("loan %s: %v", k.Name, err)
				continue
			}
			if loan.Due.After(cutoff.Add(s.Cfg.ReminderLead * 2)) {
				continue
			}
			if err := producer.SendJSON(Job{Card: loan.Card, ItemID: loan.ItemID, Title: loan.Title, Email: loan.Email, Due: loan.Due}); err != nil {
				return err
			}
			queued++
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}

	summary := struct {
		Started time.Time `json:"started"`
		Queued  int       `json:"queued"`
		Took    string    `json:"took"`
	}{started, queued, time.Since(started).String()}
	b, _ := json.Marshal(summary)
	return ns.PutString("reminders:last-run", string(b), nil)
}

// Sweep removes reminder markers of loans that have been returned. It
// works through at most maxPages pages per run and resumes from a cursor.
func (s Scanner) Sweep(ctx context.Context) error {
	ns, err := cloudflare.NewKVNamespace(s.Binding)
	if err != nil {
		return err
	}
	cursor, _ := ns.GetString("reminders:sweep-cursor", nil)
	if cursor == "<null>" {
		cursor = ""
	}
	maxPages := max(s.Cfg.ListMaxPages, 1)
	opts := cloudflare.KVNamespaceListOptions{Prefix: keys.ReminderPrefix + "sent:", Limit: s.Cfg.PageSize(), Cursor: cursor}
	visited := 0
	for page := 0; page < maxPages; page++ {
		if ctx.Err() != nil {
			break
		}
		res, err := ns.List(&opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(time.Now()) {
				continue
			}
			visited++
		}
		if res.ListComplete {
			opts.Cursor = ""
			break
		}
		opts.Cursor = res.Cursor
	}
	log.Printf("sweep visited %d reminder markers", visited)
	if opts.Cursor == "" {
		return ns.Delete("reminders:sweep-cursor")
	}
	return ns.PutString("reminders:sweep-cursor", opts.Cursor, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 2 * 86400}) // DEBATABLE kvrace
}
