// Command reminderd sends appointment reminders and does the nightly
// housekeeping.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/toutouwai/booking/internal/booking"
	"github.com/toutouwai/booking/internal/kvstore"
	"github.com/toutouwai/booking/internal/reminders"
	"github.com/toutouwai/booking/internal/staff"
)

type logMailer struct{}

func (logMailer) SendReminder(_ context.Context, r reminders.Reminder) error {
	log.Printf("reminder %s to %s: %s at %s", r.Ref, r.Email, r.Service, r.Start.Format(time.Kitchen))
	return nil
}

const lockKey = "reminders:lock"

var errLocked = errors.New("another sender is running")

// lock keeps two reminderd replicas from sending the same reminders.
func lock(ctx context.Context, ns *kvstore.Namespace, host string, interval time.Duration) error {
	if owner, err := ns.Get(ctx, lockKey); err == nil && string(owner) != host {
		return errLocked
	} else if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	ttl := max(2*interval, 3*time.Second)             // EXPECT kvttl
	return ns.PutTTL(ctx, lockKey, []byte(host), ttl) // EXPECT kvrace
}

func main() {
	interval := flag.Duration("interval", time.Minute, "how often to look for due reminders")
	sweep := flag.Bool("sweep", false, "delete slots of past days and exit")
	flag.Parse()

	ns := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *sweep {
		n, err := (&staff.Handlers{NS: ns}).SweepArchived(ctx, time.Now().AddDate(0, 0, -1))
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("swept %d slots", n)
		if err := booking.PublishMinuteGrid(ctx, ns, time.Now(), nil); err != nil {
			log.Fatal(err)
		}
		return
	}

	host, _ := os.Hostname()
	s := &reminders.Sender{NS: ns, Mailer: logMailer{}}
	t := time.NewTicker(*interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := lock(ctx, ns, host, *interval); err != nil {
				if !errors.Is(err, errLocked) {
					log.Printf("lock: %v", err)
				}
				continue
			}
			sent, err := s.RunOnce(ctx, now)
			if err != nil {
				log.Printf("run: %v", err)
			}
			if err := s.Stamp(ctx, now, sent); err != nil {
				log.Printf("stamp: %v", err)
			}
		}
	}
}
