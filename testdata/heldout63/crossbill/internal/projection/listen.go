package projection

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/jackc/pgx/v5"

	"github.com/boxoffice/crossbill/internal/edgekv"
)

// Notifier subscribes to Postgres channels and writes KV from the payloads.
type Notifier struct {
	Relay *Relay
}

type flagPayload struct {
	Key        string `json:"key"`
	Value      string `json:"value"`
	TTLSeconds int    `json:"ttl_seconds"`
}

type promoPayload struct {
	EventID   string    `json:"event_id"`
	Code      string    `json:"code"`
	Discount  int       `json:"discount_pct"`
	ExpiresAt time.Time `json:"expires_at"`
}

type capacityPayload struct {
	EventID   string `json:"event_id"`
	Available int    `json:"available"`
}

// Listen blocks, handling notifications on the projection channels.
func (n *Notifier) Listen(ctx context.Context) error {
	conn, err := n.Relay.DB.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for _, ch := range []string{"kv_flags", "kv_promos", "kv_capacity"} {
		if _, err := conn.Exec(ctx, "listen "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	for {
		note, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if err := n.handle(ctx, note.Channel, note.Payload); err != nil {
			n.Relay.Log.Warn("notification", "channel", note.Channel, "err", err)
			continue
		}
		stamp := fmt.Sprintf("%s %d", note.Channel, time.Now().Unix())
		if err := n.Relay.Edge.Put(ctx, "sync:last-notification", []byte(stamp), 0); err != nil { // EXPECT kvhotkey
			n.Relay.Log.Warn("sync stamp", "err", err)
		}
	}
}

func (n *Notifier) handle(ctx context.Context, channel, payload string) error {
	edge := n.Relay.Edge
	switch channel {
	case "kv_flags":
		var p flagPayload
		if err := json.Unmarshal([]byte(payload), &p); err != nil {
			return err
		}
		ttl := time.Duration(p.TTLSeconds) * time.Second
		return edge.PutCache(ctx, "flag:"+p.Key, []byte(p.Value), ttl)
	case "kv_promos":
		var p promoPayload
		if err := json.Unmarshal([]byte(payload), &p); err != nil {
			return err
		}
		buf, _ := json.Marshal(p)
		_, err := edge.API.KV.Namespaces.Values.Update(ctx, edge.NamespaceID, "promo:"+p.EventID+":"+strings.ToUpper(p.Code), kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(edge.AccountID),
			Value:         cloudflare.F(string(buf)),
			ExpirationTTL: cloudflare.F(time.Until(p.ExpiresAt).Seconds()), // EXPECT kvttl
		})
		return err
	case "kv_capacity":
		var p capacityPayload
		if err := json.Unmarshal([]byte(payload), &p); err != nil {
			return err
		}
		return edge.Put(ctx, "avail:"+p.EventID, []byte(strconv.Itoa(p.Available)), 0)
	}
	return fmt.Errorf("unknown channel %q", channel)
}

// RefreshEvents re-projects availability and sales for a set of events in one
// round trip.
func (r *Relay) RefreshEvents(ctx context.Context, eventIDs []string) error {
	type result struct {
		eventID         string
		available, sold int
		title           string
	}
	results := make([]result, len(eventIDs))
	b := &pgx.Batch{}
	for i, id := range eventIDs {
		results[i].eventID = id
		b.Queue(`select e.title, e.capacity - count(t.id), count(t.id)
			from events e left join tickets t on t.event_id = e.id where e.id = $1 group by e.id`, id).
			QueryRow(func(row pgx.Row) error {
				return row.Scan(&results[i].title, &results[i].available, &results[i].sold)
			})
	}
	if err := r.DB.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	entries := make([]edgekv.Entry, 0, 2*len(results))
	for _, res := range results {
		entries = append(entries, edgekv.Entry{Key: "avail:" + res.eventID, Value: strconv.Itoa(res.available)})
		entries = append(entries, edgekv.Entry{Key: "title:" + res.eventID, Value: res.title, TTL: 24 * time.Hour})
	}
	if err := r.Edge.BulkPut(ctx, entries); err != nil {
		return err
	}
	for _, res := range results {
		if err := r.Edge.Put(ctx, "event:"+res.eventID+":sold-count", []byte(strconv.Itoa(res.sold)), 10*time.Minute); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return nil
}

// stadiumSeats is the number of seats in the largest venue we sell.
const stadiumSeats = 24_000

// PrewarmSeatMap writes an "open" marker for every seat of a stadium show
// before the on-sale starts.
func (r *Relay) PrewarmSeatMap(ctx context.Context, eventID string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, stadiumSeats)
	for i := range stadiumSeats {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("seat:%s:%05d", eventID, i)),
			Value: cloudflare.F("open"),
		})
	}
	_, err := r.Edge.API.KV.Namespaces.BulkUpdate(ctx, r.Edge.NamespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(r.Edge.AccountID),
		Body:      body,
	})
	return err
}

// PrewarmSection does the same for one section through the chunking adapter.
func (r *Relay) PrewarmSection(ctx context.Context, eventID, section string, rows, perRow int) error {
	entries := make([]edgekv.Entry, 0, rows*perRow)
	for row := range rows {
		for seat := range perRow {
			entries = append(entries, edgekv.Entry{Key: fmt.Sprintf("seat:%s:%s-%d-%d", eventID, section, row, seat), Value: "open"})
		}
	}
	return r.Edge.BulkPut(ctx, entries)
}
