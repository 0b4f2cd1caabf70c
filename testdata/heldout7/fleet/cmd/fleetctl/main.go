// Command fleetctl is the operator CLI for the device fleet. It talks to
// Workers KV directly with the legacy cloudflare-go client.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/cloudflare/cloudflare-go"

	"example.com/fleet/internal/legacykv"
)

// env is what every command gets.
type env struct {
	kv  *legacykv.Client
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

type command struct {
	usage string
	run   func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]command{
	"devices count":      {"devices count", devicesCount},
	"devices export":     {"devices export", devicesExport},
	"devices ls":         {"devices ls [cursor]", devicesList},
	"keys peek":          {"keys peek <prefix>", keysPeek},
	"token revoke":       {"token revoke <hash>", tokenRevoke},
	"quota grant":        {"quota grant <tenant> <devices>", quotaGrant},
	"quota set-plan":     {"quota set-plan <tenant> <plan> <max-devices> <max-msgs>", quotaSetPlan},
	"tag add":            {"tag add <device> <tag>", tagAdd},
	"tenant claim":       {"tenant claim <slug> <tenant>", tenantClaim},
	"config show":        {"config show <device>", configShow},
	"firmware channel":   {"firmware channel <device>", firmwareChannel},
	"maintenance on":     {"maintenance on <tenant> <message>", maintenanceOn},
	"maintenance window": {"maintenance window <tenant> <message>", maintenanceWindow},
	"announce":           {"announce <message>", announce},
	"rollout ramp":       {"rollout ramp <model> <firmware> <pct,pct,...>", rolloutRamp},
	"provision lab":      {"provision lab <rack-prefix>", provisionLab},
	"provision codes":    {"provision codes <tenant> <n>", provisionCodes},
}

func usage() {
	names := make([]string, 0, len(commands))
	for _, c := range commands {
		names = append(names, c.usage)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage: fleetctl <command>\n\n  "+strings.Join(names, "\n  "))
	os.Exit(2)
}

func lookup(args []string) (command, []string, bool) {
	if len(args) >= 2 {
		if c, ok := commands[args[0]+" "+args[1]]; ok {
			return c, args[2:], true
		}
	}
	if len(args) >= 1 {
		if c, ok := commands[args[0]]; ok {
			return c, args[1:], true
		}
	}
	return command{}, nil, false
}

func main() {
	cmd, rest, ok := lookup(os.Args[1:])
	if !ok {
		usage()
	}
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleetctl:", err)
		os.Exit(1)
	}
	client := legacykv.New(api, os.Getenv("CLOUDFLARE_ACCOUNT_ID"), os.Getenv("FLEET_KV_NAMESPACE"))
	a, rc, ns := client.API()
	e := &env{kv: client, api: a, rc: rc, ns: ns}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := cmd.run(ctx, e, rest); err != nil {
		fmt.Fprintln(os.Stderr, "fleetctl:", err)
		os.Exit(1)
	}
}

func need(args []string, n int, u string) error {
	if len(args) < n {
		return fmt.Errorf("usage: fleetctl %s", u)
	}
	return nil
}
