// Command doctoradmin is the clinic staff's command-line tool: it manages
// doctor profiles, clinic settings, SMS quotas and staff sign-ins.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/harborclinic/stint/internal/adminkv"
)

var now = time.Now

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, a *admin, args []string) error
}

type admin struct {
	portal *adminkv.Client
	avail  *adminkv.Client
}

var commands = []command{
	{"claim-slug", "claim-slug <doctor> <slug>", claimSlug},
	{"revoke", "revoke <doctor>", revokeStaff},
	{"rotate-token", "rotate-token <clinic>", rotateToken},
	{"set-hours", "set-hours <clinic> <day> <open> <close>", setHours},
	{"quota", "quota <clinic> <used>", chargeQuota},
	{"topup", "topup <clinic> <amount>", topUp},
	{"show", "show <key>", show},
	{"clinic", "clinic <clinic>", clinicInfo},
	{"templates", "templates", publishTemplates},
	{"backfill", "backfill <clinic> <days>", backfill},
	{"ls", "ls <prefix>", ls},
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	a := &admin{
		portal: adminkv.New(token, account, os.Getenv("KV_PORTAL_ID")),
		avail:  adminkv.New(token, account, os.Getenv("KV_AVAILABILITY_ID")),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, c := range commands {
		if c.name != os.Args[1] {
			continue
		}
		defer func() {
			_ = a.portal.Put(context.WithoutCancel(ctx), "admin:last-command:"+c.name, []byte(now().UTC().Format(time.RFC3339)))
		}()
		if err := c.run(ctx, a, os.Args[2:]); err != nil {
			log.Fatalf("%s: %v", c.name, err)
		}
		return
	}
	usage()
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: doctoradmin <command> [args]")
	for _, c := range commands {
		fmt.Fprintln(os.Stderr, "  "+c.usage)
	}
	os.Exit(2)
}

func need(args []string, n int) error {
	if len(args) < n {
		return errors.New("missing arguments")
	}
	return nil
}
