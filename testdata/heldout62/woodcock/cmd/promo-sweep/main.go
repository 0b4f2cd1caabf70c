// Command promo-sweep is the EventBridge-scheduled promo sweeper Lambda.
package main

import (
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fleetbite/woodcock/internal/kvstore"
	"github.com/fleetbite/woodcock/internal/promo"
)

func main() {
	ns, err := kvstore.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	s := &promo.Sweeper{KV: ns}
	lambda.Start(s.Handle)
}
