// Command booking-events is the Lambda that consumes the scheduling outbox.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/meridiancare/knot/internal/kvstore"
	"github.com/meridiancare/knot/internal/lambdas"
)

func main() {
	h := &lambdas.BookingEvents{
		Edge: kvstore.Open(kvstore.Config{
			APIToken:    os.Getenv("CF_API_TOKEN"),
			AccountID:   os.Getenv("CF_ACCOUNT_ID"),
			NamespaceID: os.Getenv("KV_AVAILABILITY_ID"),
		}),
	}
	lambda.Start(h.Handle)
}
