// Command exporter runs the nightly availability export against the edge
// namespaces. It is started by the scheduler at 02:00 property time.
package main

import (
	"cmp"
	"context"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/lakeshore-hospitality/eider/internal/cfkv"
	"github.com/lakeshore-hospitality/eider/internal/domain"
	"github.com/lakeshore-hospitality/eider/internal/export"
)

func main() {
	timeout, err := strconv.Atoi(cmp.Or(os.Getenv("EXPORT_TIMEOUT_SECONDS"), "900"))
	if err != nil {
		log.Fatalf("EXPORT_TIMEOUT_SECONDS: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeout)*time.Second)
	defer cancel()

	x := export.New(cfkv.Default(),
		os.Getenv("KV_INVENTORY_ID"),
		os.Getenv("KV_LINKS_ID"),
		os.Getenv("KV_PORTAL_ID"),
		os.Getenv("KV_EXPORTS_ID"),
	)
	n, err := x.Nightly(ctx)
	if err != nil {
		log.Fatalf("export: %v", err)
	}
	log.Printf("export: %d rows", n)

	rts := []domain.RoomTypeID{"LKS-DBL", "LKS-TWN", "LKS-KNG", "LKS-STE"}
	if err := x.ByRoomType(ctx, rts); err != nil {
		log.Fatalf("export by room type: %v", err)
	}
}
