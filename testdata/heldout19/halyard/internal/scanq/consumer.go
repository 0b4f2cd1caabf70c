// Package scanq consumes parcel scan events that handheld scanners publish to
// the scan queue. A Worker forwards each queue batch to Consumer.HandleBatch.
package scanq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/halyard/internal/cfkv"
	"example.com/halyard/internal/ledger"
)

var now = time.Now

// ackTTL is how long a handheld may poll for the processing ack of a scan.
const ackTTL = 30

// Kind is the scan type.
type Kind string

const (
	Inbound  Kind = "inbound"
	Sort     Kind = "sort"
	Load     Kind = "load"
	Outbound Kind = "outbound"
)

// Message is one queued scan.
type Message struct {
	ScanID   string    `json:"scan_id"`
	Parcel   string    `json:"parcel"`
	Facility string    `json:"facility"`
	Kind     Kind      `json:"kind"`
	Device   string    `json:"device"`
	At       time.Time `json:"at"`
}

// Result reports which messages to ack and which to retry.
type Result struct {
	Acked []string
	Retry []string
}

// Consumer processes scan batches.
type Consumer struct {
	api       *cloudflare.Client
	accountID string
	ns        string
	ledger    ledger.DB
}

// NewConsumer wires a consumer over a namespace.
func NewConsumer(api *cloudflare.Client, accountID, ns string, db ledger.DB) *Consumer {
	if api == nil {
		api = cfkv.API()
	}
	return &Consumer{api: api, accountID: accountID, ns: ns, ledger: db}
}

func (c *Consumer) put(ctx context.Context, key, value string, ttl float64) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(value),
	}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl)
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.ns, key, p)
	return err
}

// HandleBatch processes a batch of raw queue bodies.
func (c *Consumer) HandleBatch(ctx context.Context, bodies [][]byte) (Result, error) {
	var res Result
	perFacility := map[string]int{}
	for _, body := range bodies {
		var m Message
		if err := json.Unmarshal(body, &m); err != nil {
			continue // poison message: ack and drop
		}
		if err := c.handle(ctx, m); err != nil {
			res.Retry = append(res.Retry, m.ScanID)
			continue
		}
		perFacility[m.Facility]++
		res.Acked = append(res.Acked, m.ScanID)
	}
	var errs []error
	for fac, n := range perFacility {
		if err := c.addToTally(ctx, fac, n); err != nil {
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

func (c *Consumer) handle(ctx context.Context, m Message) error {
	rec, _ := json.Marshal(m)
	if err := c.put(ctx, "scan:"+m.ScanID, string(rec), (14 * 24 * time.Hour).Seconds()); err != nil {
		return err
	}
	if err := c.markFirstSeen(ctx, m); err != nil {
		return err
	}
	if _, err := c.ledger.Add(ctx, "parcel_scans", m.Parcel, 1); err != nil {
		return err
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.ns, "ack:"+m.Device+":"+m.ScanID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.accountID),
		Value:         cloudflare.F("ok"),
		ExpirationTTL: cloudflare.F(float64(ackTTL)), // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	_, err = c.api.KV.Namespaces.Values.Update(ctx, c.ns, "scan:latest", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(string(rec)),
	})
	return err
}

// markFirstSeen records where and when a parcel entered the network.
func (c *Consumer) markFirstSeen(ctx context.Context, m Message) error {
	key := "parcel-first:" + m.Parcel
	if _, err := c.api.KV.Namespaces.Values.Get(ctx, c.ns, key, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(c.accountID),
	}); err == nil {
		return nil
	}
	v := fmt.Sprintf("%s|%s", m.Facility, m.At.UTC().Format(time.RFC3339))
	return c.put(ctx, key, v, 0) // EXPECT kvrace
}

// addToTally adds n scans to today's per-facility tally shown on the
// network-operations wallboard.
func (c *Consumer) addToTally(ctx context.Context, facility string, n int) error {
	key := "tally:" + facility + ":" + now().UTC().Format("20060102")
	cur := 0
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.accountID),
	})
	switch {
	case err == nil:
		b, rerr := io.ReadAll(io.LimitReader(res.Body, 32))
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		if cur, err = strconv.Atoi(string(b)); err != nil {
			return fmt.Errorf("scanq: tally %s: %w", key, err)
		}
	case !cfkv.IsNotFound(err):
		return err
	}
	_, err = c.api.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(c.accountID),
		Value:         cloudflare.F(strconv.Itoa(cur + n)),
		ExpirationTTL: cloudflare.F((3 * 24 * time.Hour).Seconds()),
	})
	return err
}
