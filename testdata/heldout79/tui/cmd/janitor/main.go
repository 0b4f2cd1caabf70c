// Command janitor runs from cron: it aborts abandoned multipart uploads,
// applies lifecycle rules and rebuilds the key-shard index.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"tui/internal/buckets"
	"tui/internal/kvstore"
	"tui/internal/lifecycle"
	"tui/internal/multipart"
	"tui/internal/objects"
)

// indexShards is the number of buckets in the key-shard index the Worker
// uses to spread listing of very large sites.
const indexShards = 16384

func main() {
	mode := flag.String("mode", "uploads", "uploads | uploads-full | lifecycle | reindex")
	bucket := flag.String("bucket", "", "bucket for lifecycle and reindex")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	store := kvstore.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	objs := &objects.Service{KV: store}
	mp := &multipart.Service{KV: store, Objects: objs, Log: log}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	var err error
	switch *mode {
	case "uploads":
		var n int
		n, _, err = mp.SweepByMetadata(ctx, multipart.UploadLifetime-24*time.Hour, 20)
		log.Info("aborted uploads", "count", n)
	case "uploads-full":
		var n int
		n, err = mp.Sweep(ctx, multipart.UploadLifetime-24*time.Hour)
		log.Info("aborted uploads", "count", n)
	case "lifecycle":
		r := &lifecycle.Runner{KV: store, Buckets: &buckets.Service{KV: store, Objects: objs}, Log: log, MaxPages: 50}
		err = r.RunBucket(ctx, *bucket)
	case "reindex":
		err = reindex(ctx, store, *bucket)
	}
	if err != nil {
		log.Error("janitor", "mode", *mode, "err", err)
		os.Exit(1)
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := store.Put(ctx, "janitor/last-run/"+*mode, stamp, kvstore.PutOptions{TTL: 48 * time.Hour}); err != nil {
		log.Warn("record run", "err", err)
	}
}

// reindex resets every shard of a bucket's index to empty in one request.
func reindex(ctx context.Context, store *kvstore.Store, bucket string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, indexShards)
	for i := range indexShards {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("idx/%s/%04x", bucket, i)),
			Value: cloudflare.F("[]"),
		})
	}
	_, err := store.Client().KV.Namespaces.BulkUpdate(ctx, store.Namespace(), kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(store.AccountID()),
		Body:      body,
	})
	return err
}
