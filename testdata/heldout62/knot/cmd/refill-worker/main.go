// Command refill-worker runs the refill workflows and activities.
package main

import (
	"cmp"
	"log"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/meridiancare/knot/internal/kvstore"
	"github.com/meridiancare/knot/internal/legacykv"
	"github.com/meridiancare/knot/internal/refill"
)

func main() {
	c, err := client.Dial(client.Options{
		HostPort:  cmp.Or(os.Getenv("TEMPORAL_ADDRESS"), client.DefaultHostPort),
		Namespace: cmp.Or(os.Getenv("TEMPORAL_NAMESPACE"), "clinic"),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	acts := &refill.Activities{
		KV: kvstore.Open(kvstore.Config{
			APIToken:    os.Getenv("CF_API_TOKEN"),
			AccountID:   os.Getenv("CF_ACCOUNT_ID"),
			NamespaceID: os.Getenv("KV_REFILLS_ID"),
			Timeout:     15 * time.Second,
		}),
		Legacy:   legacykv.New(os.Getenv("CF_LEGACY_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_RX_LEGACY_ID")),
		Pharmacy: refill.NewPharmacyClient(os.Getenv("PHARMACY_BASE_URL"), os.Getenv("PHARMACY_TOKEN")),
	}

	w := worker.New(c, refill.TaskQueue, worker.Options{
		MaxConcurrentActivityExecutionSize: 50,
	})
	w.RegisterWorkflow(refill.RefillWorkflow)
	w.RegisterWorkflow(refill.ReconcileWorkflow)
	w.RegisterActivity(acts)

	if err := w.Run(worker.InterruptCh()); err != nil {
		log.Fatal(err)
	}
}
