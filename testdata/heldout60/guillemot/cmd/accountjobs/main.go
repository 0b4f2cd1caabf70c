// Command accountjobs runs the account service's scheduled jobs. It is
// started by the cluster's scheduler: "accountjobs -job expire" hourly and
// "accountjobs -job audit" weekly.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/forumworks/guillemot/internal/jobs"
	"github.com/forumworks/guillemot/internal/kv"
)

func main() {
	job := flag.String("job", "", "job to run: expire or audit")
	timeout := flag.Duration("timeout", 20*time.Minute, "give up after this long")
	flag.Parse()

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	account := os.Getenv("CF_ACCOUNT_ID")
	open := func(env, title string) *kv.Namespace { return kv.Open(api, account, os.Getenv(env), title) }

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	host, _ := os.Hostname()

	switch *job {
	case "expire":
		e := &jobs.Expirer{Accounts: open("KV_ACCOUNTS", "accounts"), Profiles: open("KV_PROFILES", "profiles"), RunID: host + "/" + time.Now().UTC().Format(time.RFC3339)}
		n, err := e.Run(ctx, time.Now())
		if errors.Is(err, jobs.ErrRunning) {
			log.Print("accountjobs: expire already running")
			return
		}
		if err != nil {
			log.Fatalf("accountjobs: expire: %v", err)
		}
		log.Printf("accountjobs: expired %d accounts", n)
	case "audit":
		a := &jobs.Auditor{
			Accounts: open("KV_ACCOUNTS", "accounts"),
			Auth:     open("KV_AUTH", "auth"),
			Archive:  open("KV_ARCHIVE", "archive"),
		}
		rep, err := a.Run(ctx, time.Now())
		if err != nil {
			log.Fatalf("accountjobs: audit: %v", err)
		}
		_ = json.NewEncoder(os.Stdout).Encode(rep)
	default:
		flag.Usage()
		os.Exit(2)
	}
}
