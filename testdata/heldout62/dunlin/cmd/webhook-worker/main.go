// Command webhook-worker runs the Temporal worker for webhook delivery and
// tenant provisioning.
package main

import (
	"cmp"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/dunlin-dev/dunlin/internal/kvstore"
	"github.com/dunlin-dev/dunlin/internal/tenants"
	"github.com/dunlin-dev/dunlin/internal/webhooks"
)

func main() {
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	account := os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	hooksNS := kvstore.Open(api, account, os.Getenv("KV_WEBHOOKS_ID"), "webhooks")
	tenantNS := kvstore.Open(api, account, os.Getenv("KV_TENANTS_ID"), "tenants")

	c, err := client.Dial(client.Options{
		HostPort:  cmp.Or(os.Getenv("TEMPORAL_ADDRESS"), client.DefaultHostPort),
		Namespace: cmp.Or(os.Getenv("TEMPORAL_NAMESPACE"), "dunlin"),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	w := worker.New(c, webhooks.TaskQueue, worker.Options{})
	w.RegisterWorkflow(webhooks.FanOutWorkflow)
	w.RegisterWorkflow(webhooks.DeliverWorkflow)
	w.RegisterWorkflow(tenants.ProvisionWorkflow)
	w.RegisterActivity(webhooks.NewActivities(hooksNS, &http.Client{Timeout: 25 * time.Second}, os.Getenv("CONTROL_PLANE_URL")))
	w.RegisterActivity(tenants.NewActivities(tenantNS))
	if err := w.Run(worker.InterruptCh()); err != nil {
		log.Fatal(err)
	}
}
