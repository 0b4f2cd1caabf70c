// Command promo-redeem is the SQS-triggered redemption Lambda.
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
	r := &promo.Redeemer{KV: ns}
	lambda.Start(r.HandleSQS)
}
