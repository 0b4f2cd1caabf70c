// Command fleetctl is the operators' maintenance tool for the FLEET
// namespace.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/shoebill-iot/shoebill/internal/fleetadmin"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: fleetctl export-seen | tag DEVICE TAG | seed BATCH | import BATCH < serials | pin CHANNEL | reserve MODEL VERSION")
	os.Exit(2)
}

func main() {
	flag.Parse()
	if flag.NArg() < 1 {
		usage()
	}
	kv, err := kvstore.FromEnv("FLEET_KV_NAMESPACE_ID")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rel := &fleetadmin.Releases{KV: kv}
	operator := os.Getenv("USER")
	args := flag.Args()

	switch {
	case args[0] == "export-seen":
		n, err := fleetadmin.ExportSeen(ctx, kv, os.Stdout)
		fmt.Fprintf(os.Stderr, "%d devices\n", n)
		exit(err)
	case args[0] == "tag" && len(args) == 3:
		_, err := fleetadmin.Tag(ctx, kv, args[1], args[2], operator)
		exit(err)
	case args[0] == "seed" && len(args) == 2:
		exit(rel.SeedFactory(ctx, args[1]))
	case args[0] == "import" && len(args) == 2:
		var serials []string
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			serials = append(serials, sc.Text())
		}
		exit(rel.ImportSerials(ctx, args[1], serials))
	case args[0] == "pin" && len(args) == 2:
		exit(rel.PinTrustAnchor(ctx, args[1]))
	case args[0] == "reserve" && len(args) == 3:
		exit(rel.ReserveSlot(ctx, args[1], args[2]))
	default:
		usage()
	}
}

func exit(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
