// Command lambda is the metering Lambda image; DUNLIN_FUNCTION picks the
// handler: ingest (SQS), badge (API Gateway) or rollup (EventBridge).
package main

import (
	"log"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/cloudflare/cloudflare-go"

	"github.com/dunlin-dev/dunlin/internal/kvstore"
	"github.com/dunlin-dev/dunlin/internal/metering"
)

func main() {
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	account := os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	open := func(env, title string) *kvstore.Namespace {
		return kvstore.Open(api, account, os.Getenv(env), title)
	}
	switch fn := os.Getenv("DUNLIN_FUNCTION"); fn {
	case "ingest":
		lambda.Start(metering.NewIngestor(open("KV_USAGE_ID", "usage"), open("KV_EVENTS_ID", "usage-events")).HandleSQS)
	case "badge":
		b := metering.NewBadges(open("KV_BADGES_ID", "badges"), &http.Client{Timeout: 5 * time.Second}, os.Getenv("BADGE_RENDERER_URL"))
		lambda.Start(b.Handle)
	case "rollup":
		lambda.Start(metering.NewRollup(open("KV_USAGE_ID", "usage"), open("KV_REPORTS_ID", "reports")).Handle)
	default:
		log.Fatalf("unknown DUNLIN_FUNCTION %q", fn)
	}
}
