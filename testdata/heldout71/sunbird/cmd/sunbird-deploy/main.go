// Command sunbird-deploy uploads a built site directory as a new deploy.
//
//	sunbird-deploy -site docs -dir ./public [-preview] [-promote]
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"sunbird/internal/deploy"
	"sunbird/internal/kvstore"
)

func main() {
	site := flag.String("site", "", "site name")
	dir := flag.String("dir", "public", "build output directory")
	preview := flag.Bool("preview", false, "upload as a preview deploy")
	promote := flag.Bool("promote", false, "make the deploy live after upload")
	timeout := flag.Duration("timeout", 15*time.Minute, "overall timeout")
	flag.Parse()
	if *site == "" {
		log.Fatal("-site is required")
	}
	kv, err := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("SUNBIRD_KV_NAMESPACE"))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	b := make([]byte, 6)
	rand.Read(b)
	id := time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)

	up := &deploy.Uploader{KV: kv}
	m, err := up.Upload(ctx, os.DirFS(*dir), *site, id, *preview)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("uploaded %d files (%d bytes) as %s\n", len(m.Files), m.TotalSize, id)
	if *promote {
		if err := up.Promote(ctx, *site, id); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s is live\n", id)
	}
	if n, err := up.SweepProgress(ctx); err == nil && n > 0 {
		fmt.Printf("removed %d stale progress markers\n", n)
	}
}
