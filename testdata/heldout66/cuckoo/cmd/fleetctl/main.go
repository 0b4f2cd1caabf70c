// Command fleetctl is the operators' CLI for the device fleet: claim codes,
// credential rotation, firmware rollouts, thresholds and bulk imports.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/tidewater-iot/cuckoo/internal/fleet"
	"github.com/tidewater-iot/cuckoo/internal/kvstore"
	"github.com/tidewater-iot/cuckoo/internal/ota"
	"github.com/tidewater-iot/cuckoo/internal/provisioning"
)

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, ns *kvstore.Namespace, args []string) error
}

var commands = []command{
	{"claim", "claim -serial S -cohort C -site X", cmdClaim},
	{"rotate", "rotate -device D", cmdRotate},
	{"revoke", "revoke -token T", cmdRevoke},
	{"devices", "devices [-peek]", cmdDevices},
	{"import", "import -file devices.csv", cmdImport},
	{"bulk-load", "bulk-load -file pairs.jsonl", cmdBulkLoad},
	{"firmware", "firmware publish|hold|reserve ...", cmdFirmware},
	{"rollout", "rollout -cohort C -fw V -url U -window 48h", cmdRollout},
	{"thresholds", "thresholds -device D -metric M -max N", cmdThresholds},
	{"cache", "cache -key K -file F [-stale]", cmdCache},
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ns := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("FLEET_KV_NAMESPACE"))
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == os.Args[1] })
	if i < 0 {
		usage()
		os.Exit(2)
	}
	if err := commands[i].run(ctx, ns, os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "fleetctl %s: %v\n", commands[i].name, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: fleetctl <command> [flags]")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %s\n", c.usage)
	}
}

func cmdClaim(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("claim", flag.ExitOnError)
	serial := fs.String("serial", "", "device serial")
	cohort := fs.String("cohort", "default", "OTA cohort")
	site := fs.String("site", "", "installation site")
	perSite := fs.Int("site-quota", 500, "claim codes per site and day")
	_ = fs.Parse(args)
	if *serial == "" || *site == "" {
		return errors.New("-serial and -site are required")
	}
	quotaKey := "quota:claims:" + *site + ":" + time.Now().UTC().Format("20060102")
	issued, _, err := ns.GetInt(ctx, quotaKey)
	if err != nil {
		return err
	}
	if issued >= *perSite {
		return fmt.Errorf("site %s reached its daily claim quota", *site)
	}
	svc := provisioning.NewService(ns, nil)
	code, err := svc.Issue(ctx, provisioning.Claim{Serial: *serial, Cohort: *cohort, Site: *site, Issuer: os.Getenv("USER")})
	if err != nil {
		return err
	}
	if err := ns.Put(ctx, quotaKey, fmt.Appendf(nil, "%d", issued+1), 48*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	fmt.Println(code)
	return nil
}

func cmdRotate(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("rotate", flag.ExitOnError)
	device := fs.String("device", "", "device ID")
	_ = fs.Parse(args)
	tok, err := provisioning.NewService(ns, nil).Rotate(ctx, *device)
	if err != nil {
		return err
	}
	fmt.Printf("new password for %s: %s\n", *device, tok)
	return nil
}

func cmdRevoke(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("revoke", flag.ExitOnError)
	token := fs.String("token", "", "device token to revoke")
	reason := fs.String("reason", "leaked", "reason recorded with the revocation")
	_ = fs.Parse(args)
	if *token == "" {
		return errors.New("-token is required")
	}
	rec, _ := json.Marshal(map[string]any{"reason": *reason, "at": time.Now().UTC()})
	if err := ns.Put(ctx, "revoked:"+*token, rec, 90*24*time.Hour); err != nil { // EXPECT kvsession
		return err
	}
	return ns.Delete(ctx, fleet.TokenKey(*token)) // EXPECT kvsession
}

func cmdDevices(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("devices", flag.ExitOnError)
	peek := fs.Bool("peek", false, "print a handful of devices and stop")
	_ = fs.Parse(args)
	client, account, nsID := ns.Client()
	if *peek {
		res, err := client.KV.Namespaces.Keys.List(ctx, nsID, kv.NamespaceKeyListParams{ // DEBATABLE kvlist
			AccountID: cloudflare.F(account),
			Prefix:    cloudflare.F("device:"),
			Limit:     cloudflare.F(5.0), // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			fmt.Println(strings.TrimPrefix(k.Name, "device:"))
		}
		return nil
	}
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F("device:"),
	})
	n := 0
	for iter.Next() {
		fmt.Println(strings.TrimPrefix(iter.Current().Name, "device:"))
		n++
	}
	if err := iter.Err(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d devices\n", n)
	return nil
}

// cmdImport registers devices from a CSV export of the manufacturing line:
// serial,cohort,site.
func cmdImport(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	file := fs.String("file", "", "CSV file")
	_ = fs.Parse(args)
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 3
	imported := 0
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		d := provisioning.Device{Serial: row[0], Cohort: row[1], Site: row[2], Registered: time.Now().UTC()}
		raw, _ := json.Marshal(d)
		if err := ns.Put(ctx, fleet.DeviceKey(d.Serial), raw, 0); err != nil {
			return err
		}
		if err := ns.Put(ctx, "site:"+d.Site+"/"+d.Serial, []byte(d.Cohort), 0); err != nil {
			return err
		}
		imported++
		if err := ns.Put(ctx, "fleet:import-progress", fmt.Appendf(nil, "%s %d", *file, imported), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	fmt.Printf("imported %d devices\n", imported)
	return nil
}

// importBatch is the number of pairs sent per bulk request.
const importBatch = 20_000

func cmdBulkLoad(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("bulk-load", flag.ExitOnError)
	file := fs.String("file", "", "JSON lines of {key,value,ttl_s}")
	_ = fs.Parse(args)
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	var entries []kvstore.Entry
	dec := json.NewDecoder(f)
	for dec.More() {
		var e struct {
			Key   string `json:"key"`
			Value string `json:"value"`
			TTL   int    `json:"ttl_s"`
		}
		if err := dec.Decode(&e); err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{Key: e.Key, Value: e.Value, TTL: time.Duration(e.TTL) * time.Second})
	}
	for batch := range slices.Chunk(entries, importBatch) { // EXPECT kvlimits
		if err := ns.BulkPut(ctx, batch); err != nil {
			return err
		}
	}
	return nil
}

// releaseNotes travel with every published image in its metadata so that the
// installer app can show them from a key listing.
const releaseNotes = `Fixes: watchdog reset when the modem drops PPP during OTA download; ` +
	`battery gauge drift after deep sleep cycles longer than 6h; RS-485 framing ` +
	`errors at 115200 baud with long cable runs; DST handling in the local schedule. ` +
	`Changes: telemetry batching now flushes every 30 s or 64 readings, whichever ` +
	`comes first; shadow deltas are applied before the first telemetry publish; ` +
	`claim retries back off exponentially up to 15 minutes; TLS session resumption ` +
	`is enabled for the check-in endpoint; the status LED blinks amber while an ` +
	`image is being verified. Known issues: sensors on firmware older than 2.3 ` +
	`report humidity with one decimal only; devices on cellular plans with strict ` +
	`APN filtering need the new apn_fallback setting before upgrading; the first ` +
	`boot after upgrade takes up to 90 s while the filesystem is migrated. ` +
	`Compatibility: requires bootloader 1.8 or newer; hardware revisions C and D ` +
	`only; rollback to 2.x is supported for 30 days through the recovery partition. ` +
	`Security: updated mbedTLS to 3.6.2; device certificates are now checked ` +
	`against the fleet CA on every reconnect; debug UART disabled in release builds.`

func cmdFirmware(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	if len(args) == 0 {
		return errors.New("firmware publish|hold|reserve")
	}
	fs := flag.NewFlagSet("firmware "+args[0], flag.ExitOnError)
	cohort := fs.String("cohort", "", "OTA cohort")
	version := fs.String("version", "", "firmware version")
	url := fs.String("url", "", "image URL")
	holdFor := fs.Duration("for", 48*time.Hour, "how long to hold the current image")
	_ = fs.Parse(args[1:])
	key := "fw:" + *cohort + "/" + *version
	client, account, nsID := ns.Client()

	switch args[0] {
	case "publish":
		meta := map[string]any{"version": *version, "url": *url, "notes": releaseNotes} // EXPECT kvlimits
		return ns.PutWithMeta(ctx, key, []byte(*url), meta)
	case "hold":
		_, err := client.KV.Namespaces.Values.Update(ctx, nsID, "fw-hold:"+*cohort, kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(account),
			Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(*version)),
			ExpirationTTL: cloudflare.F(float64(*holdFor)), // EXPECT kvttl
		})
		return err
	case "reserve":
		// Reserve the slot with a zeroed image of the maximum size the
		// bootloader accepts; the uploader overwrites it in place.
		_, err := client.KV.Namespaces.Values.Update(ctx, nsID, key+"/image", kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(account),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(make([]byte, 32<<20))), // EXPECT kvlimits
		})
		return err
	}
	return fmt.Errorf("unknown firmware action %q", args[0])
}

func cmdRollout(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("rollout", flag.ExitOnError)
	cohort := fs.String("cohort", "", "OTA cohort")
	fw := fs.String("fw", "", "target firmware")
	url := fs.String("url", "", "image URL")
	window := fs.Duration("window", 48*time.Hour, "rollout window")
	_ = fs.Parse(args)
	tr := ota.NewTracker(ns, nil)
	devices, err := tr.Members(ctx, *cohort, 20)
	if err != nil {
		return err
	}
	if err := tr.Start(ctx, *cohort, *fw, *url, devices, *window); err != nil {
		return err
	}
	r, err := tr.Load(ctx, *cohort)
	if err != nil {
		return err
	}
	return tr.Pin(ctx, r)
}

func cmdThresholds(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("thresholds", flag.ExitOnError)
	device := fs.String("device", "", "device ID")
	metric := fs.String("metric", "", "metric name")
	maxV := fs.Float64("max", 0, "upper limit")
	_ = fs.Parse(args)
	key := fleet.ThresholdsKey(*device)
	th := fleet.Thresholds{Device: *device, Max: map[string]float64{}, Min: map[string]float64{}}
	raw, err := ns.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &th); err != nil {
			return err
		}
	}
	th.Max[*metric] = *maxV
	out, _ := json.Marshal(th)
	return ns.Put(ctx, key, out, 0) // EXPECT kvrace
}

func cmdCache(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("cache", flag.ExitOnError)
	key := fs.String("key", "", "cache key")
	file := fs.String("file", "", "value file")
	stale := fs.Bool("stale", false, "write a short-lived stale marker instead")
	_ = fs.Parse(args)
	val, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	if *stale {
		return ns.Put(ctx, *key+":stale", val, 45*time.Second) // EXPECT kvttl
	}
	return ns.PutCached(ctx, *key, val, 10*time.Second)
}
