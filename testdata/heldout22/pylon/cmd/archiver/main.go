// Command archiver exports custody records to the archive bucket. It is
// the older service and still uses cloudflare-go v0.
package main

import (
	"context"
	"encoding/json"
	"log"
	"os"
	"path/filepath"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/pylon/internal/legacy/archive"
)

// dirSink writes batches as JSON files; the bucket is mounted locally.
type dirSink string

func (d dirSink) Write(_ context.Context, name string, records map[string]string) (string, error) {
	path := filepath.Join(string(d), filepath.Base(name)+".json")
	b, err := json.Marshal(records)
	if err != nil {
		return "", err
	}
	return path, os.WriteFile(path, b, 0o640)
}

func main() {
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	a := archive.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_CORE"), dirSink(os.Getenv("ARCHIVE_DIR")))
	ctx := context.Background()
	if err := a.Probe(ctx); err != nil {
		log.Fatal(err)
	}
	n, err := a.Export(ctx, "custody:ev:")
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("archived %d records", n)
}
