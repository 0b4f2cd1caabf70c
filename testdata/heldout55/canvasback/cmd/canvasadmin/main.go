//go:build !(js && wasm)

// Command canvasadmin is the operator CLI: the weekly audit (run from cron),
// seeding, inspection and one-off maintenance against Workers KV.
//
//	canvasadmin [flags] audit|seed-slots|seed-formulary|ls|consent|loadtest|support-session
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/canvasback/telehealth/internal/audit"
	"github.com/canvasback/telehealth/internal/cfkv"
	"github.com/canvasback/telehealth/internal/keys"
)

// Set in main from flags and environment.
var (
	client     *cfkv.Client
	store      *cfkv.Values
	account    string
	sessionTTL = 30 * time.Minute
)

// consentNotice is the telehealth consent text, version 2024-03. Patients
// accept it once; the accepted version travels with the acceptance record.
const consentNotice = "I consent to receive health care services by telehealth from Canvasback Health clinicians. " +
	"I understand that telehealth involves the use of electronic communications to enable clinicians at a different " +
	"location to share my medical information for the purpose of improving patient care, including diagnosis, " +
	"therapy, follow-up and education, and that my records will be kept as required by federal and state law. " +
	"I understand that the electronic systems used incorporate network and software security protocols to protect " +
	"the confidentiality of patient identification and imaging data, and include measures to safeguard the data and " +
	"to ensure its integrity against intentional or unintentional corruption. I understand that telehealth may not be " +
	"appropriate for every condition, that my clinician may decide an in-person visit is required, and that I may " +
	"withdraw this consent at any time without affecting my right to future care or treatment. I understand that " +
	"prescriptions, including refills, are issued at the clinician's discretion and that controlled substances may " +
	"require an in-person evaluation. In an emergency I will call 911 or go to the nearest emergency department."

func main() {
	fs := flag.NewFlagSet("canvasadmin", flag.ExitOnError)
	nsID := fs.String("ns", os.Getenv("KV_NAMESPACE"), "KV namespace ID")
	prefix := fs.String("prefix", "", "key prefix for ls")
	fs.DurationVar(&sessionTTL, "session-ttl", sessionTTL, "lifetime of support sessions")
	_ = fs.Parse(os.Args[1:])

	account = os.Getenv("CF_ACCOUNT_ID")
	client = cfkv.NewClient(os.Getenv("CF_API_TOKEN"))
	store = cfkv.Open(client, account, *nsID)

	ctx := context.Background()
	var err error
	switch cmd := fs.Arg(0); cmd {
	case "audit":
		err = runAudit(ctx)
	case "seed-slots":
		err = seedSlots(ctx, fs.Arg(1))
	case "seed-formulary":
		err = seedFormulary(ctx, fs.Arg(1))
	case "ls":
		err = ls(ctx, *prefix, fs.Arg(1))
	case "consent":
		err = publishConsent(ctx)
	case "loadtest":
		err = loadtest(ctx)
	case "support-session":
		err = supportSession(ctx, fs.Arg(1))
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func runAudit(ctx context.Context) error {
	open := func(env string) *cfkv.Values { return cfkv.Open(client, account, os.Getenv(env)) }
	backends := map[string]audit.Backend{
		"sessions": {Name: "sessions", Values: open("KV_SESSIONS"), Prefix: "sess:", Walk: audit.WalkSessions},
		"refills":  {Name: "refills", Values: open("KV_REFILLS"), Prefix: "refill:", Walk: audit.WalkRefills},
		"holds":    {Name: "holds", Values: open("KV_HOLDS"), Prefix: "c/", Walk: audit.WalkHolds},
		"quota":    {Name: "quota", Values: open("KV_QUOTA"), Prefix: "quota:", Walk: audit.WalkQuota},
		"verify":   {Name: "verify", Values: open("KV_VERIFY"), Prefix: "otp:", Walk: audit.WalkVerify},
	}
	f, err := os.Create(fmt.Sprintf("audit-%s.jsonl", time.Now().UTC().Format("2006-01-02")))
	if err != nil {
		return err
	}
	defer f.Close()
	sinks := []audit.Sink{audit.LogSink{Prefix: "audit"}, audit.JSONLSink{W: f}}
	rep, err := audit.Run(ctx, backends, sinks, store)
	log.Printf("audit: scanned %v, findings %v", rep.Scanned, rep.ByKind)
	return err
}

type slotSeed struct {
	Clinic string    `json:"clinic"`
	Start  time.Time `json:"start"`
}

// seedSlots publishes a year of open slots for a new clinic: 12 rooms, 1,000
// fifteen-minute slots each.
func seedSlots(ctx context.Context, clinic string) error {
	const rooms, perRoom = 12, 1000
	start := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	pairs := make([]cfkv.BulkPair, 0, rooms*perRoom)
	for room := range rooms {
		for i := range perRoom {
			at := start.Add(time.Duration(i) * 15 * time.Minute)
			v, _ := json.Marshal(slotSeed{Clinic: clinic, Start: at})
			pairs = append(pairs, cfkv.BulkPair{
				Key:   cloudflare.F(fmt.Sprintf("open:%s:%02d:%d", clinic, room, at.Unix())),
				Value: cloudflare.F(string(v)),
			})
		}
	}
	res, err := store.Keys.BulkUpdate(ctx, store.NamespaceID, kv.NamespaceKeyBulkUpdateParams{AccountID: cloudflare.F(account), Body: pairs}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	log.Printf("seeded %d slots, %d failed", int(res.SuccessfulKeyCount), len(res.UnsuccessfulKeys))
	return nil
}

// seedFormulary loads a formulary export (JSON lines) into the edge cache.
func seedFormulary(ctx context.Context, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var pairs []cfkv.BulkPair
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var d struct {
			NDC string `json:"ndc"`
		}
		if json.Unmarshal([]byte(line), &d) != nil || d.NDC == "" {
			continue
		}
		pairs = append(pairs, cfkv.BulkPair{
			Key:           cloudflare.F("drug:" + d.NDC),
			Value:         cloudflare.F(line),
			ExpirationTTL: cloudflare.F(86400.0),
		})
	}
	failed, err := store.BulkWrite(ctx, pairs)
	log.Printf("formulary: %d entries, %d failed", len(pairs), len(failed))
	return err
}

// ls prints the first few keys under prefix, and the cursor to continue from.
func ls(ctx context.Context, prefix, cursor string) error {
	args := cfkv.ListArgs{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		args.Cursor = cloudflare.F(cursor)
	}
	page, err := store.Keys.List(ctx, store.NamespaceID, args)
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Printf("%s\t%.0f\n", k.Name, k.Expiration)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Printf("-- more: ls %s\n", page.ResultInfo.Cursor)
	}
	return nil
}

// publishConsent stores the current consent text, keyed by its wording so an
// edited text never collides with an accepted one.
func publishConsent(ctx context.Context) error {
	_, err := store.Update(ctx, store.NamespaceID, "consent:"+consentNotice, cfkv.UpdateArgs{ // EXPECT kvlimits
		AccountID: cloudflare.F(account),
		Value:     cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
	})
	if err != nil {
		return err
	}
	_, err = store.Update(ctx, store.NamespaceID, "consent:current", cfkv.UpdateArgs{
		AccountID: cloudflare.F(account),
		Value:     cloudflare.F("2024-03"),
		Metadata:  cloudflare.F[any](map[string]string{"version": "2024-03", "text": consentNotice}), // EXPECT kvlimits
	})
	return err
}

// loadtest writes a synthetic chart attachment to measure edge read latency
// for large values.
func loadtest(ctx context.Context) error {
	const attachmentSize = 32 << 20
	blob := strings.Repeat("A", attachmentSize)
	_, err := store.Update(ctx, store.NamespaceID, "loadtest:attachment", cfkv.UpdateArgs{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F(blob), // EXPECT kvlimits
		ExpirationTTL: cloudflare.F(3600.0),
	})
	return err
}

// supportSession opens a time-limited portal session for a support agent
// acting on behalf of a patient.
func supportSession(ctx context.Context, patientID string) error {
	sid := keys.NewID()
	body, _ := json.Marshal(map[string]any{
		"id": sid, "patient_id": patientID, "support": true,
		"created_at": time.Now().UTC(), "last_seen": time.Now().UTC(),
	})
	if err := store.Write(ctx, "sess:"+patientID+":"+sid, body, sessionTTL); err != nil {
		return err
	}
	fmt.Printf("cb_sess=%s.%s (valid %s)\n", patientID, sid, sessionTTL)
	return nil
}
