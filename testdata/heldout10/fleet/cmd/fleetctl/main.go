// Command fleetctl is the operator CLI for the device fleet. It talks to the
// KV namespace directly with the v0 cloudflare-go client so that it keeps
// working when fleetd is down.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/cloudflare/cloudflare-go"

	"example.com/fleet/internal/config"
)

type env struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	cfg config.Config
}

type command struct {
	usage string
	run   func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]command{
	"devices":         {"devices                     list registered devices", cmdDevices},
	"keys":            {"keys PREFIX                 list keys under a prefix", cmdKeys},
	"rollouts":        {"rollouts                    list rollout records", cmdRollouts},
	"peek":            {"peek PREFIX                 show the first few keys under a prefix", cmdPeek},
	"tag":             {"tag DEVICE TAG              add a tag to a device", cmdTag},
	"revoke-session":  {"revoke-session ID           end an operator session", cmdRevokeSession},
	"seed-slots":      {"seed-slots                  create the provisioning slot table", cmdSeedSlots},
	"publish":         {"publish CHANNEL VERSION URL SHA256", cmdPublish},
	"trust-bootstrap": {"trust-bootstrap             pin the factory root CA", cmdTrustBootstrap},
	"trust-add":       {"trust-add FILE               pin an additional root CA", cmdTrustAdd},
	"export-link":     {"export-link JOB URL         publish a download link for an export", cmdExportLink},
	"pause":           {"pause GROUP...              pause rollouts for device groups", cmdPause},
	"ensure-alerts":   {"ensure-alerts               install the default alert rules", cmdEnsureAlerts},
	"adopt":           {"adopt DEVICE SERIAL         create a registry record for a legacy device", cmdAdopt},
}

func usage() {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage: fleetctl [flags] COMMAND [ARGS]")
	for _, n := range names {
		fmt.Fprintln(os.Stderr, "  "+commands[n].usage)
	}
	flag.PrintDefaults()
}

func newAPI() (*cloudflare.API, error) {
	if key, email := os.Getenv("CF_API_KEY"), os.Getenv("CF_API_EMAIL"); key != "" && email != "" {
		return cloudflare.New(key, email, cloudflare.UsingRetryPolicy(3, 1, 10))
	}
	return cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"), cloudflare.UsingRetryPolicy(3, 1, 10))
}

func main() {
	flag.Usage = usage
	nsFlag := flag.String("namespace", "", "KV namespace id (default $FLEET_KV_NAMESPACE)")
	flag.Parse()
	if flag.NArg() == 0 {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[flag.Arg(0)]
	if !ok {
		fmt.Fprintf(os.Stderr, "fleetctl: unknown command %q\n", flag.Arg(0))
		os.Exit(2)
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleetctl:", err)
		os.Exit(2)
	}
	if *nsFlag != "" {
		cfg.NamespaceID = *nsFlag
	}
	api, err := newAPI()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleetctl:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{api: api, rc: cloudflare.AccountIdentifier(cfg.AccountID), ns: cfg.NamespaceID, cfg: cfg}
	if err := cmd.run(ctx, e, flag.Args()[1:]); err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			fmt.Fprintln(os.Stderr, "fleetctl: not found")
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "fleetctl:", err)
		os.Exit(1)
	}
}

func need(args []string, n int, what string) error {
	if len(args) < n {
		return fmt.Errorf("missing argument: %s", what)
	}
	return nil
}

func printKeys(keys []cloudflare.StorageKey) {
	for _, k := range keys {
		fmt.Println(strings.TrimSpace(k.Name))
	}
}
