// Package matchmaking runs the matchmaking queues. Queue state lives in the
// "matchmaking" KV namespace and is read by the match formers in every region.
package matchmaking

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/cfkv"
)

// Ticket is a player's (or party's) place in a queue.
type Ticket struct {
	ID       string    `json:"id"`
	Players  []string  `json:"players"`
	Mode     string    `json:"mode"`
	Region   string    `json:"region"`
	Rating   int       `json:"rating"`
	Seq      int64     `json:"seq"`
	QueuedAt time.Time `json:"queued_at"`
}

// ErrTicketNotFound is returned for unknown or expired tickets.
var ErrTicketNotFound = fmt.Errorf("matchmaking: ticket %w", apperr.ErrNotFound)

// Queue is one mode+region queue.
type Queue struct {
	NS  cfkv.Namespace
	Now func() time.Time
}

func queueKey(mode, region string) string {
	return fmt.Sprintf("mm:queue:%[1]s:%[2]s", url.PathEscape(mode), url.PathEscape(region))
}

func seqKey(mode string) string { return "mm:seq:" + url.PathEscape(mode) }

func ticketKey(id string) string { return "mm:ticket:" + url.PathEscape(id) }

func (q Queue) get(ctx context.Context, key string) ([]byte, error) {
	res, err := q.NS.Client.KV.Namespaces.Values.Get(ctx, q.NS.ID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(q.NS.AccountID),
	})
	if err != nil {
		return nil, err
	}
	return cfkv.ReadBody(res)
}

// Enqueue adds t to its queue and returns it with its sequence number.
func (q Queue) Enqueue(ctx context.Context, t Ticket) (Ticket, error) {
	seq, err := q.nextSeq(ctx, t.Mode)
	if err != nil {
		return Ticket{}, err
	}
	t.Seq = seq
	if t.ID == "" {
		t.ID = t.Mode + "-" + newMatchID()
	}
	t.QueuedAt = q.Now().UTC()

	var waiting []Ticket
	raw, err := q.get(ctx, queueKey(t.Mode, t.Region)) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &waiting); err != nil {
			return Ticket{}, fmt.Errorf("matchmaking: corrupt queue: %w", err)
		}
	}
	waiting = append(waiting, t)
	body, err := json.Marshal(waiting)
	if err != nil {
		return Ticket{}, err
	}
	_, err = q.NS.Client.KV.Namespaces.Values.Update(ctx, q.NS.ID, url.PathEscape(queueKey(t.Mode, t.Region)), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(q.NS.AccountID),
		Value:     cloudflare.F(string(body)),
	})
	if err != nil {
		return Ticket{}, err
	}

	doc, _ := json.Marshal(t)
	_, err = q.NS.Client.KV.Namespaces.Values.Update(ctx, q.NS.ID, url.PathEscape(ticketKey(t.ID)), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(q.NS.AccountID),
		Value:         cloudflare.F(string(doc)),
		ExpirationTTL: cloudflare.F(float64(15 * 60)),
	})
	return t, err
}

func (q Queue) nextSeq(ctx context.Context, mode string) (int64, error) {
	var n int64
	raw, err := q.get(ctx, seqKey(mode))
	switch {
	case err == nil:
		if n, err = strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64); err != nil {
			return 0, fmt.Errorf("matchmaking: bad sequence: %w", err)
		}
	case cfkv.IsNotFound(err):
	default:
		return 0, err
	}
	n++
	_, err = q.NS.Client.KV.Namespaces.Values.Update(ctx, q.NS.ID, url.PathEscape(seqKey(mode)), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(q.NS.AccountID),
		Value:     cloudflare.F(strconv.FormatInt(n, 10)),
	})
	return n, err
}

// Ticket returns a ticket by ID.
func (q Queue) Ticket(ctx context.Context, id string) (Ticket, error) {
	raw, err := q.get(ctx, ticketKey(id))
	if cfkv.IsNotFound(err) {
		return Ticket{}, ErrTicketNotFound
	}
	if err != nil {
		return Ticket{}, err
	}
	var t Ticket
	if err := json.Unmarshal(raw, &t); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// Depth estimates how many tickets are waiting in a mode. More reports
// whether the count was cut off by the page size.
func (q Queue) Depth(ctx context.Context, mode string) (count int, more bool, err error) {
	page, err := q.NS.Client.KV.Namespaces.Keys.List(ctx, q.NS.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(q.NS.AccountID),
		Prefix:    cloudflare.F("mm:ticket:" + url.PathEscape(mode) + "-"),
		Limit:     cloudflare.F(float64(5000)), // EXPECT kvlimits
	})
	if err != nil {
		return 0, false, err
	}
	return len(page.Result), page.ResultInfo.Cursor != "", nil
}
