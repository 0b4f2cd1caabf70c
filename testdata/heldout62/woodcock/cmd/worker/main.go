// Command worker runs the Temporal workers for checkout, payouts, menu
// analytics and the ETA grid.
package main

import (
	"context"
	"errors"
	"log"
	"os"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/fleetbite/woodcock/internal/checkout"
	"github.com/fleetbite/woodcock/internal/dispatch"
	"github.com/fleetbite/woodcock/internal/kvstore"
	"github.com/fleetbite/woodcock/internal/menu"
	"github.com/fleetbite/woodcock/internal/payouts"
)

func main() {
	ns, err := kvstore.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: os.Getenv("TEMPORAL_ADDRESS"), Namespace: "fleetbite"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	cw := worker.New(c, checkout.TaskQueue, worker.Options{})
	cw.RegisterWorkflow(checkout.Workflow)
	cw.RegisterActivity(&checkout.Activities{KV: ns, Payments: processor{}})
	cw.RegisterWorkflow(menu.ViewsWorkflow)
	cw.RegisterActivity(&menu.ViewActivities{KV: ns})
	cw.RegisterWorkflow(dispatch.GridWorkflow)
	cw.RegisterActivity(&dispatch.GridActivities{KV: ns})

	pw := worker.New(c, payouts.TaskQueue, worker.Options{MaxConcurrentActivityExecutionSize: 4})
	pw.RegisterWorkflow(payouts.CreditWorkflow)
	pw.RegisterWorkflow(payouts.NightlyWorkflow)
	pw.RegisterActivity(&payouts.Activities{KV: ns, Bank: bank{}})

	if err := pw.Start(); err != nil {
		log.Fatal(err)
	}
	defer pw.Stop()
	if err := cw.Run(worker.InterruptCh()); err != nil {
		log.Fatal(err)
	}
}

var errNotConfigured = errors.New("payment provider not configured")

// processor and bank are replaced by the provider SDKs in the deployment build.
type processor struct{}

func (processor) Authorize(context.Context, string, int) (string, error) { return "", errNotConfigured }

type bank struct{}

func (bank) Transfer(context.Context, string, int64, string) (string, error) {
	return "", errNotConfigured
}
