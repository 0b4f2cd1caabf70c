//go:build !js

// Package ops holds the backend's scheduled jobs: publishing the slot
// calendar, sweeping expired records, and exports.
package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"grosbeak/internal/cfkv"
	"grosbeak/internal/keys"
	"grosbeak/internal/museum"
)

// Jobs runs against the Worker's namespaces.
type Jobs struct {
	Slots *cfkv.REST
	Codes *cfkv.REST
	Pages *cfkv.SDK
	Audio *cfkv.SDK
}

// ErrLocked means another publisher is running.
var ErrLocked = errors.New("ops: publish already running")

const (
	publishDays  = 60
	slotsPerDay  = 240
	slotInterval = 2 * time.Minute
	firstEntry   = 10 * time.Hour
)

var slotKeyTmpl = template.Must(template.New("slot").Parse(`{{.Prefix}}{{.Date}}:{{.ID}}`))

// PublishSlots writes the timed-entry calendar for the coming weeks.
func (j *Jobs) PublishSlots(ctx context.Context, from time.Time, capacity int) error {
	lock := keys.OpsPublishLockKey
	if _, err := j.Slots.Get(ctx, lock); err == nil {
		return ErrLocked
	} else {
		var nf *museum.NotFoundError
		if !errors.As(err, &nf) {
			return err
		}
	}
	host, _ := os.Hostname()
	if err := j.Slots.Put(ctx, lock, strings.NewReader(host), 15*60); err != nil { // EXPECT kvrace
		return err
	}
	defer func() {
		if err := j.Slots.Delete(context.WithoutCancel(ctx), lock); err != nil {
			log.Printf("release publish lock: %v", err)
		}
	}()

	pairs := make([]cfkv.Pair, 0, publishDays*slotsPerDay)
	var sb strings.Builder
	for d := 0; d < publishDays; d++ {
		day := from.AddDate(0, 0, d)
		date := day.Format("2006-01-02")
		for i := 0; i < slotsPerDay; i++ {
			starts := day.Truncate(24 * time.Hour).Add(firstEntry + time.Duration(i)*slotInterval)
			id := starts.Format("1504")
			sb.Reset()
			if err := slotKeyTmpl.Execute(&sb, map[string]string{"Prefix": keys.SlotPrefix, "Date": date, "ID": id}); err != nil {
				return err
			}
			b, _ := json.Marshal(museum.Slot{ID: id, Date: date, Starts: starts, Capacity: capacity, Remaining: capacity, Access: museum.AccessGeneral})
			pairs = append(pairs, cfkv.Pair{Key: sb.String(), Value: string(b), ExpirationTTL: int((time.Duration(d+2) * 24 * time.Hour).Seconds())})
		}
	}
	return j.Slots.Bulk(ctx, pairs) // EXPECT kvlimits
}

// PublishAudioIndex writes one small index record per audio stop.
func (j *Jobs) PublishAudioIndex(ctx context.Context, stops map[int]string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(stops))
	for stop, title := range stops {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("%sindex:%d", keys.AudioPrefix, stop)),
			Value:         cloudflare.F(title),
			ExpirationTTL: cloudflare.F(float64(time.Hour)), // EXPECT kvttl
			Metadata:      cloudflare.F[any](map[string]any{"stop": stop}),
		})
	}
	for start := 0; start < len(body); start += cfkv.MaxBulk {
		end := min(start+cfkv.MaxBulk, len(body))
		_, err := j.Audio.CF.KV.Namespaces.BulkUpdate(ctx, j.Audio.NamespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(j.Audio.AccountID),
			Body:      body[start:end],
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// accessNotice is attached to every exhibit page entry so the edge can
// render the access panel without a second read.
const accessNotice = "Step-free access is available to every gallery through the Museum Street entrance, where lifts serve all floors. " +
	"Wheelchairs, walking frames and folding stools can be borrowed free of charge from the cloakroom on the ground floor; no booking is needed. " +
	"Large-print and braille gallery guides are kept at the information desk, and every audio-guide stop has a transcript on the app. " +
	"British Sign Language and described tours run on the first Saturday of each month; please book through the members' desk. " +
	"Quiet hours run from 10:00 to 11:00 on weekdays, when gallery lighting is softened and the interactive sound installations are paused. " +
	"A quiet room is available on the second floor beside the prints gallery, and sensory maps can be downloaded from the visit page. " +
	"Assistance dogs are welcome in every part of the building, and a water bowl is kept at the cloakroom. " +
	"Carers and companions of disabled visitors are admitted free to all exhibitions; ask at the ticket desk for a companion ticket. " +
	"Changing Places toilets are on the lower ground floor next to the family room."

// PublishPage stores a rendered exhibit page with its access notice.
func (j *Jobs) PublishPage(ctx context.Context, slug, html string) error {
	_, err := j.Pages.Values().Update(ctx, j.Pages.NamespaceID, keys.ExhibitPagePrefix+slug+":en", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(j.Pages.AccountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](stringValue(html)),
		ExpirationTTL: cloudflare.F(float64(keys.PageCacheTTL)),
		Metadata:      cloudflare.F[any](map[string]string{"slug": slug, "access": accessNotice}), // EXPECT kvlimits
	})
	return err
}

// SweepHolds deletes slot holds left behind by abandoned checkouts.
func (j *Jobs) SweepHolds(ctx context.Context) (int, error) {
	cursor := ""
	removed := 0
	for {
		page, err := j.Slots.List(ctx, keys.SlotHoldPrefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range page.Keys {
			if k.Expiration != 0 && k.Expiration > time.Now().Unix() {
				continue
			}
			if err := j.Slots.Delete(ctx, k.Name); err != nil {
				return removed, err
			}
			removed++
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return removed, nil
}

// SweepReceipts removes receipts whose metadata marks them refunded.
func (j *Jobs) SweepReceipts(ctx context.Context) (int, error) {
	cursor := ""
	removed := 0
	for pages := 0; pages < 50; pages++ {
		page, err := j.Slots.List(ctx, keys.SlotReceiptPrefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			var meta struct {
				Refunded bool `json:"refunded"`
			}
			if len(k.Metadata) > 0 && json.Unmarshal(k.Metadata, &meta) == nil && meta.Refunded {
				if err := j.Slots.Delete(ctx, k.Name); err != nil {
					return removed, err
				}
				removed++
			}
		}
		cursor = page.Cursor
	}
	return removed, nil
}

// RevokedCount counts revocation markers, reading at most maxPages pages.
func (j *Jobs) RevokedCount(ctx context.Context, maxPages int) (int, bool, error) {
	page, err := j.Codes.List(ctx, keys.QRRevokedPrefix, "", 1000)
	if err != nil {
		return 0, false, err
	}
	n := len(page.Keys)
	for i := 1; i < maxPages && page.Cursor != ""; i++ {
		page, err = j.Codes.List(ctx, "", page.Cursor, 1000) // EXPECT kvlist
		if err != nil {
			return n, false, err
		}
		n += len(page.Keys)
	}
	return n, page.Cursor == "", nil
}

// CancelSlot withdraws every code issued for a slot, e.g. when a gallery
// closes for the day.
func (j *Jobs) CancelSlot(ctx context.Context, slotID string, codes []string) error {
	names := make([]string, 0, len(codes))
	for _, c := range codes {
		names = append(names, keys.QRPrefix+c)
	}
	sdk := &cfkv.SDK{CF: j.Pages.CF, AccountID: j.Codes.AccountID, NamespaceID: j.Codes.NamespaceID}
	for start := 0; start < len(names); start += cfkv.MaxBulk {
		end := min(start+cfkv.MaxBulk, len(names))
		if err := sdk.RemoveMany(ctx, names[start:end]); err != nil { // DEBATABLE kvsession
			return fmt.Errorf("cancel %s: %w", slotID, err)
		}
	}
	return nil
}

// IssueLastEntry issues the late-entry codes for today's final slot; they
// lapse when the museum closes.
func (j *Jobs) IssueLastEntry(ctx context.Context, codes []museum.EntryCode, closing time.Time) error {
	for _, ec := range codes {
		b, err := json.Marshal(ec)
		if err != nil {
			return err
		}
		ttl := int(time.Until(closing).Seconds()) // EXPECT kvttl
		if err := j.Codes.Put(ctx, keys.QRPrefix+ec.Code, strings.NewReader(string(b)), ttl); err != nil {
			return err
		}
	}
	return nil
}

// IssueEveningEvent issues codes for an evening event, lapsing at its end.
func (j *Jobs) IssueEveningEvent(ctx context.Context, codes []museum.EntryCode, ends time.Time) error {
	ttl := max(int(time.Until(ends).Seconds()), keys.Minute)
	for _, ec := range codes {
		b, err := json.Marshal(ec)
		if err != nil {
			return err
		}
		if err := j.Codes.Put(ctx, keys.QRPrefix+ec.Code, strings.NewReader(string(b)), ttl); err != nil {
			return err
		}
	}
	return nil
}

// Maintenance posts a short banner before a deploy.
func (j *Jobs) Maintenance(ctx context.Context, msg string, lead time.Duration) error {
	until := time.Now().Add(30 * time.Second).Unix() // EXPECT kvttl
	if lead > time.Minute {
		until = time.Now().Add(lead).Unix()
	}
	return j.Slots.PutUntil(ctx, keys.BannerKey, strings.NewReader(msg), until)
}

// Health peeks at a few slot keys to confirm the namespace answers.
func (j *Jobs) Health(ctx context.Context) error {
	page, err := j.Slots.List(ctx, keys.SlotPrefix, "", 5) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if len(page.Keys) == 0 {
		return errors.New("ops: no slots published")
	}
	return nil
}

// Sync records when the nightly sync last finished, once per run.
func (j *Jobs) Sync(ctx context.Context, steps []func(context.Context) error) error {
	for i, step := range steps {
		if err := step(ctx); err != nil {
			return fmt.Errorf("sync step %d: %w", i, err)
		}
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	return j.Pages.Write(ctx, keys.OpsLastSyncKey, stamp, 0)
}

// ExportCodes writes every issued code as newline-delimited JSON.
func (j *Jobs) ExportCodes(ctx context.Context, w io.Writer) (int, error) {
	sdk := &cfkv.SDK{CF: j.Pages.CF, AccountID: j.Codes.AccountID, NamespaceID: j.Codes.NamespaceID}
	iter := sdk.Keys().ListAutoPaging(ctx, sdk.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(sdk.AccountID),
		Prefix:    cloudflare.F(keys.QRPrefix),
	})
	enc := json.NewEncoder(w)
	n := 0
	for iter.Next() {
		k := iter.Current()
		if strings.HasPrefix(k.Name, keys.QRRevokedPrefix) {
			continue
		}
		raw, err := sdk.Read(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			log.Printf("export %s: %v", k.Name, err)
			continue
		}
		var ec museum.EntryCode
		if err := json.Unmarshal(raw, &ec); err != nil {
			continue
		}
		if err := enc.Encode(ec); err != nil {
			return n, err
		}
		n++
	}
	return n, iter.Err()
}

// ExportPageIndex writes up to maxKeys page keys with their metadata.
func (j *Jobs) ExportPageIndex(ctx context.Context, w io.Writer, maxKeys int) (int, error) {
	iter := j.Pages.Keys().ListAutoPaging(ctx, j.Pages.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.Pages.AccountID),
		Prefix:    cloudflare.F(keys.ExhibitPagePrefix),
		Limit:     cloudflare.F(1000.0),
	})
	enc := json.NewEncoder(w)
	n := 0
	for n < maxKeys && iter.Next() {
		k := iter.Current()
		if err := enc.Encode(map[string]any{"key": k.Name, "meta": k.Metadata, "exp": k.Expiration}); err != nil {
			return n, err
		}
		n++
	}
	return n, iter.Err()
}
