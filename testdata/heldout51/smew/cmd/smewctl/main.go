// Command smewctl is the operators' tool for the parking service's KV data.
//
//	smewctl <command> [flags]
//
// Each command has its own flags; run "smewctl <command> -h" for them.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"

	"example.com/smew/internal/kvstore"
	"example.com/smew/internal/kvstore/cfrest"
	"example.com/smew/internal/officers"
)

const usage = `usage: smewctl <command> [flags]

commands:
  claim-zone     reserve a zone code for a district
  revoke-token   block a handheld's token at the edge
  reset-pin      set an officer's PIN and sign them out everywhere
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	args := os.Args[2:]
	var err error
	switch os.Args[1] {
	case "claim-zone":
		err = cmdClaimZone(ctx, args)
	case "revoke-token":
		err = cmdRevokeToken(ctx, args)
	case "reset-pin":
		err = cmdResetPIN(ctx, args)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "smewctl: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "smewctl:", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func registry() *kvstore.Registry {
	reg := kvstore.NewRegistry()
	reg.Register("kv", cfrest.Opener(cloudflare.NewClient(), os.Getenv("CLOUDFLARE_ACCOUNT_ID")))
	reg.Register("mem", kvstore.MemOpener())
	return reg
}

func openStore(ctx context.Context, dsn string) (kvstore.Store, error) {
	return registry().Open(ctx, dsn)
}

// storeFlag adds the -store flag every command shares.
func storeFlag(fs *flag.FlagSet, envVar, def string) *string {
	return fs.String("store", envOr(envVar, def), "store DSN (kv://<namespace-id> or mem://<name>)")
}

// cmdClaimZone reserves a zone code for a district so that two districts
// never sign the same code on the street.
func cmdClaimZone(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("claim-zone", flag.ExitOnError)
	dsn := storeFlag(fs, "SMEW_ZONES_DSN", "mem://zones")
	code := fs.String("code", "", "zone code, e.g. N7")
	district := fs.String("district", "", "district that will own the code")
	fs.Parse(args)
	if *code == "" || *district == "" {
		return fmt.Errorf("claim-zone: -code and -district are required")
	}
	st, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	key := "zone-code:" + strings.ToUpper(*code)
	opt, err := st.Get(ctx, key)
	if err != nil {
		return err
	}
	if opt.Found {
		return fmt.Errorf("claim-zone: %s already belongs to district %s", *code, opt.Value)
	}
	if err := st.Put(ctx, key, []byte(strings.ToUpper(*district)), 0); err != nil { // EXPECT kvrace
		return err
	}
	fmt.Printf("zone %s claimed for %s\n", strings.ToUpper(*code), strings.ToUpper(*district))
	return nil
}

// cmdRevokeToken adds a handheld's token to the list the edge checks on
// every sync, for lost or stolen devices.
func cmdRevokeToken(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("revoke-token", flag.ExitOnError)
	dsn := storeFlag(fs, "SMEW_DEVICES_DSN", "mem://devices")
	device := fs.String("device", "", "device id whose token is revoked")
	reason := fs.String("reason", "lost", "reason recorded with the revocation")
	fs.Parse(args)
	if *device == "" {
		return fmt.Errorf("revoke-token: -device is required")
	}
	st, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	b, err := json.Marshal(map[string]any{"reason": *reason, "at": time.Now().UTC(), "by": os.Getenv("USER")})
	if err != nil {
		return err
	}
	return st.Put(ctx, "revoked-token:"+*device, b, 0) // EXPECT kvsession
}

func officerService(ctx context.Context, fs *flag.FlagSet, args []string) (*officers.Service, error) {
	devices := storeFlag(fs, "SMEW_DEVICES_DSN", "mem://devices")
	sessions := fs.String("sessions", envOr("SMEW_SESSIONS_DSN", "mem://sessions"), "sessions store DSN")
	tokens := fs.String("tokens", envOr("SMEW_TOKENS_DSN", "mem://tokens"), "tokens store DSN")
	fs.Parse(args)
	reg := registry()
	var stores [3]kvstore.Store
	for i, dsn := range []string{*devices, *sessions, *tokens} {
		st, err := reg.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		stores[i] = st
	}
	return officers.New(stores[0], stores[1], stores[2]), nil
}

func cmdResetPIN(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reset-pin", flag.ExitOnError)
	badge := fs.String("badge", "", "officer badge number")
	pin := fs.String("pin", "", "new PIN")
	svc, err := officerService(ctx, fs, args)
	if err != nil {
		return err
	}
	if *badge == "" || len(*pin) < 6 {
		return fmt.Errorf("reset-pin: -badge and a PIN of at least 6 digits are required")
	}
	return svc.ResetPIN(ctx, *badge, *pin)
}
