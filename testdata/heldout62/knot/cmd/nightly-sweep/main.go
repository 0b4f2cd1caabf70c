// Command nightly-sweep is the Lambda run by the nightly EventBridge schedule.
package main

import (
	"cmp"
	"database/sql"
	"log"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/meridiancare/knot/internal/kvstore"
	"github.com/meridiancare/knot/internal/lambdas"
	"github.com/meridiancare/knot/internal/legacykv"
)

func main() {
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	summaryTTL, err := time.ParseDuration(cmp.Or(os.Getenv("VISIT_SUMMARY_TTL"), "720h"))
	if err != nil {
		log.Fatalf("VISIT_SUMMARY_TTL: %v", err)
	}
	open := func(id string) *kvstore.Namespace {
		return kvstore.Open(kvstore.Config{
			APIToken:    os.Getenv("CF_API_TOKEN"),
			AccountID:   os.Getenv("CF_ACCOUNT_ID"),
			NamespaceID: id,
			Timeout:     30 * time.Second,
		})
	}
	s := &lambdas.Sweeper{
		Holds:      open(os.Getenv("KV_HOLDS_ID")),
		Edge:       open(os.Getenv("KV_AVAILABILITY_ID")),
		Legacy:     legacykv.New(os.Getenv("CF_LEGACY_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_RX_LEGACY_ID")),
		DB:         db,
		SummaryTTL: summaryTTL,
	}
	lambda.Start(s.Handle)
}
