// Command kvadmin runs maintenance jobs against the refill namespace.
//
//	kvadmin seed-lockers STORE
//	kvadmin export STORE
//	kvadmin purge-discontinued NDC...
//	kvadmin revoke PHARMACIST
//	kvadmin import STORE FILE
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"hihi/internal/db"
	"hihi/internal/enums"
	"hihi/internal/kvstore"
	"hihi/internal/refill"
	"hihi/internal/session"
	"hihi/internal/stock"
)

// lockerSlots is the number of after-hours pickup locker slots in a
// distribution-center store: 40 lockers of 300 slots.
const lockerSlots = 40 * 300

type lockerSlot struct {
	Locker int    `json:"locker"`
	Slot   int    `json:"slot"`
	State  string `json:"state"`
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: kvadmin COMMAND ARGS...")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	ns := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "seed-lockers":
		err = seedLockers(ctx, ns, args[0])
	case "export":
		var n int
		n, err = refill.NewService(ns).ExportQueue(ctx, args[0], os.Stdout)
		log.Info("exported", "refills", n)
	case "purge-discontinued":
		set := make(map[string]bool, len(args))
		for _, ndc := range args {
			set[ndc] = true
		}
		var n int
		n, err = stock.NewAlerts(ns, nil, stock.Config{}, log, time.UTC).PurgeDiscontinued(ctx, set)
		log.Info("purged", "subscriptions", n)
	case "revoke":
		var n int
		n, err = session.NewStore(db.New(ns)).RevokeAll(ctx, args[0])
		log.Info("revoked", "sessions", n)
	case "import":
		err = importFile(ctx, ns, args[0], args[1])
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		log.Error("kvadmin", "err", err)
		os.Exit(1)
	}
}

// seedLockers creates the empty slot records of a new locker bank.
func seedLockers(ctx context.Context, ns *kvstore.Namespace, storeID string) error {
	entries := make([]kvstore.Entry, 0, lockerSlots)
	for i := range lockerSlots {
		v, _ := json.Marshal(lockerSlot{Locker: i / 300, Slot: i % 300, State: "empty"})
		entries = append(entries, kvstore.Entry{
			Key:   fmt.Sprintf("locker:%s:%02d:%03d", storeID, i/300, i%300),
			Value: string(v),
		})
	}
	failed, err := ns.BulkPut(ctx, entries) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d locker slots not written", len(failed))
	}
	return nil
}

// importFile reads "rx,patient,status" lines exported by the pharmacy
// management system.
func importFile(ctx context.Context, ns *kvstore.Namespace, storeID, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var recs []refill.PMSRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ",")
		if len(parts) != 3 {
			continue
		}
		st, err := enums.RefillStatusString(parts[2])
		if err != nil {
			continue
		}
		recs = append(recs, refill.PMSRecord{RxNumber: parts[0], PatientID: parts[1], Status: st})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return refill.NewService(ns).Import(ctx, storeID, recs)
}
