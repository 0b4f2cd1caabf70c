// Command pbserver runs the PocketBase admin with the Kakapo KV projection.
package main

import (
	"log"
	"os"

	"github.com/pocketbase/pocketbase"

	"github.com/kakapo-auctions/kakapo/internal/kvstore"
	"github.com/kakapo-auctions/kakapo/internal/pbapp"
)

func main() {
	app := pocketbase.New()

	cf := kvstore.NewClient(os.Getenv("CF_API_TOKEN"))
	acct := os.Getenv("CF_ACCOUNT_ID")
	pbapp.Register(app, pbapp.Deps{
		CF:        cf,
		AccountID: acct,
		Lots:      kvstore.Open(cf, acct, os.Getenv("KV_LOTS_ID"), "LOTS"),
		Sessions:  kvstore.Open(cf, acct, os.Getenv("KV_SESSIONS_ID"), "SESSIONS"),
		Bidders:   kvstore.Open(cf, acct, os.Getenv("KV_BIDDERS_ID"), "BIDDERS"),
		Tickets:   kvstore.Open(cf, acct, os.Getenv("KV_TICKETS_ID"), "TICKETS"),
	})

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
