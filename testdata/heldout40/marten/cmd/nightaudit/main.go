// Command nightaudit runs the night audit of one property. It is started by
// the scheduler shortly after the business day closes.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"os"
	"strings"
	"time"

	cf3 "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"marten/internal/audit"
	"marten/internal/kvrest"
)

func main() {
	var (
		property  = flag.String("property", os.Getenv("PMS_PROPERTY"), "property code")
		namespace = flag.String("namespace", os.Getenv("PMS_KV_NAMESPACE"), "KV namespace")
		steps     = flag.String("steps", "postings,folios,carry", "audit steps, in order")
		timeout   = flag.Duration("timeout", 45*time.Minute, "give up after")
	)
	flag.Parse()

	client := cf3.NewClient(
		option.WithAPIToken(os.Getenv("CF_API_TOKEN")),
		option.WithMaxRetries(4),
	)
	ns := kvrest.Open(client, os.Getenv("CF_ACCOUNT_ID"), *namespace)

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	rep, err := audit.New(ns, *property).Run(ctx, strings.Split(*steps, ","))
	if err != nil {
		log.Fatalf("nightaudit %s: %v", *property, err)
	}
	_ = json.NewEncoder(os.Stdout).Encode(rep)
}
