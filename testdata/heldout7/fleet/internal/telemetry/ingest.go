// Package telemetry consumes device telemetry batches from the ingestion
// queue, forwards them to the warehouse and keeps the stream checkpoints and
// per-tenant ingestion totals in KV, where the edge status page reads them.
package telemetry

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// Reading is one telemetry sample.
type Reading struct {
	DeviceID string
	Metric   string
	Value    float64
	At       time.Time
}

// Batch is a contiguous slice of a stream.
type Batch struct {
	ID       string
	Offset   int64
	Readings []Reading
}

// Sink receives readings (the warehouse writer in production).
type Sink interface {
	Write(ctx context.Context, rs []Reading) error
}

// Ingestor moves batches from a stream into the sink.
type Ingestor struct {
	client    *cloudflare.Client
	accountID string
	ns        string
	sink      Sink
}

// NewIngestor returns an Ingestor writing checkpoints to namespace ns.
func NewIngestor(client *cloudflare.Client, accountID, ns string, sink Sink) *Ingestor {
	return &Ingestor{client: client, accountID: accountID, ns: ns, sink: sink}
}

func (in *Ingestor) put(ctx context.Context, key, value string) error {
	_, err := in.client.KV.Namespaces.Values.Update(ctx, in.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(in.accountID),
		Value:     cloudflare.F(value),
	})
	return err
}

// Resume returns the offset to continue stream from.
func (in *Ingestor) Resume(ctx context.Context, stream string) (int64, error) {
	res, _ := in.client.KV.Namespaces.Values.Get(ctx, in.ns, "checkpoint:"+stream, kv.NamespaceValueGetParams{AccountID: cloudflare.F(in.accountID)}) // EXPECT kvnull
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(b), 10, 64)
}

// Consume forwards batches in order and advances the stream checkpoint after
// each one, so a crash replays at most one batch.
func (in *Ingestor) Consume(ctx context.Context, stream string, batches []Batch) error {
	for _, b := range batches {
		if err := in.sink.Write(ctx, b.Readings); err != nil {
			return fmt.Errorf("batch %s: %w", b.ID, err)
		}
		next := b.Offset + int64(len(b.Readings))
		_, err := in.client.KV.Namespaces.Values.Update(ctx, in.ns, "checkpoint:"+stream, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(in.accountID), Value: cloudflare.F(strconv.FormatInt(next, 10))}) // EXPECT kvhotkey
		if err != nil {
			return err
		}
	}
	return nil
}

// Archive records where each processed batch ended, one key per batch, so
// the audit job can match warehouse partitions to stream ranges.
func (in *Ingestor) Archive(ctx context.Context, stream string, batches []Batch) error {
	for _, b := range batches {
		end := b.Offset + int64(len(b.Readings))
		if err := in.put(ctx, "batch:"+stream+":"+b.ID, strconv.FormatInt(end, 10)); err != nil {
			return err
		}
	}
	return nil
}

// AddIngested adds n readings to the tenant's running total for today.
func (in *Ingestor) AddIngested(ctx context.Context, tenant string, n int) error {
	key := fmt.Sprintf("ingested:%s:%s", tenant, time.Now().UTC().Format("20060102"))
	var total int64
	res, err := in.client.KV.Namespaces.Values.Get(ctx, in.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(in.accountID)})
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		total, _ = strconv.ParseInt(string(b), 10, 64)
	} else if !isNotFound(err) {
		return err
	}
	total += int64(n)
	_, err = in.client.KV.Namespaces.Values.Update(ctx, in.ns, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(in.accountID), Value: cloudflare.F(strconv.FormatInt(total, 10))}) // EXPECT kvcounter
	return err
}
