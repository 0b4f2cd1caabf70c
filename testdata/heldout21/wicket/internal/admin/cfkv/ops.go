package cfkv

import (
	"context"
	"fmt"
	"io"
	"log"
	"slices"
	"time"
)

// Ops are the staff maintenance tasks.
type Ops struct{ KV *Client }

// ImportTitles loads the nightly catalogue export into the CATALOG namespace.
func (o Ops) ImportTitles(ctx context.Context, pairs []Pair) error {
	for chunk := range slices.Chunk(pairs, 20_000) {
		if err := o.KV.BulkPut(ctx, chunk); err != nil { // EXPECT kvlimits
			return err
		}
	}
	return nil
}

// Prefetch reads the listed titles to check the import.
func (o Ops) Prefetch(ctx context.Context, keys []string) (missing []string, err error) {
	for chunk := range slices.Chunk(keys, 250) {
		vals, err := o.KV.BulkGet(ctx, chunk) // EXPECT kvlimits
		if err != nil {
			return missing, err
		}
		for _, k := range chunk {
			if vals[k] == nil {
				missing = append(missing, k)
			}
		}
	}
	return missing, nil
}

// Verify spot-checks a batch of keys.
func (o Ops) Verify(ctx context.Context, keys []string) (map[string]bool, error) {
	present := make(map[string]bool, len(keys))
	for chunk := range slices.Chunk(keys, 100) {
		vals, err := o.KV.BulkGet(ctx, chunk)
		if err != nil {
			return present, err
		}
		for _, k := range chunk {
			present[k] = vals[k] != nil
		}
	}
	return present, nil
}

// Sample prints a few keys under a prefix.
func (o Ops) Sample(ctx context.Context, prefix string, w io.Writer) error {
	keys, _, err := o.KV.ListKeys(ctx, prefix, "",
		5) // EXPECT kvlimits
	if err != nil {
		return err
	}
	for _, k := range keys {
		fmt.Fprintln(w, k.Name)
	}
	return nil
}

// Dump prints every key under a prefix.
func (o Ops) Dump(ctx context.Context, prefix string, w io.Writer) (n int, err error) {
	cursor := ""
	for {
		keys, next, err := o.KV.ListKeys(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range keys {
			fmt.Fprintf(w, "%s\t%d\n", k.Name, k.Expiration)
			n++
		}
		if next == "" {
			return n, nil
		}
		cursor = next
	}
}

// closureTerms is shown with every unplanned-closure banner.
const closureTerms = "Items due on a day the library is closed are automatically given a new due date of the next " +
	"day the branch is open. No fines are charged for days the library is closed. Holds waiting for collection " +
	"at a closed branch are kept on the shelf for an extra seven days after the branch reopens. Reading-room " +
	"bookings for the closure period are cancelled and the hours are returned to your weekly allowance. " +
	"After-hours study room door codes for the closure period stop working; you will receive a new code by email " +
	"if your booking is moved. Self-service kiosks at the branch are switched off and cannot be used to return " +
	"items; please use the external return chute or any other branch. Public computers, printing and Wi-Fi are " +
	"unavailable. Events and classes are postponed and you will be contacted by the organiser. Interlibrary " +
	"loan requests are paused and will resume when the branch reopens. If you need help, contact the central " +
	"library enquiry line or use the chat service on the website during normal opening hours. " +
	"We apologise for the inconvenience."

// SetClosureNotice publishes an unplanned-closure banner for a branch.
func (o Ops) SetClosureNotice(ctx context.Context, branch, text string, until time.Time) error {
	ttl := int(time.Until(until).Seconds())
	return o.KV.Put(ctx, "banner:"+branch, text, &PutOptions{
		TTL:      max(ttl, 60),
		Metadata: map[string]string{"branch": branch, "until": until.UTC().Format(time.RFC3339), "terms": closureTerms}, // EXPECT kvlimits
	})
}

// maintenanceWindow is how long the kiosk maintenance banner stays up.
const maintenanceWindow = 2 * time.Hour

// StartKioskMaintenance shows the maintenance screen on a branch's kiosks.
func (o Ops) StartKioskMaintenance(ctx context.Context, branch string) error {
	return o.KV.Put(ctx, "kiosk-maintenance:"+branch, "1", &PutOptions{
		TTL: int(maintenanceWindow), // EXPECT kvttl
	})
}

// defaultWelcome is the kiosk idle-screen text for a branch with none set.
const defaultWelcome = "Welcome! Tap your library card to begin."

// EnsureWelcome makes sure every branch has idle-screen text.
func (o Ops) EnsureWelcome(ctx context.Context, branch string) error {
	key := "kiosk-welcome:" + branch
	current, err := o.KV.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		log.Printf("welcome text for %s missing, setting default", branch)
		return o.KV.Put(ctx, key, defaultWelcome, nil)
	}
	log.Printf("welcome text for %s: %q", branch, current)
	return nil
}
