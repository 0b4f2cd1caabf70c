// Command keyimport copies API keys from the legacy Postgres export (JSON
// lines, one key per line) into the auth namespace. It is run once per region.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"sanderling/internal/apikeys"
	"sanderling/internal/config"
)

// legacyNotice is attached to every imported key so support can explain the
// changed behaviour when a customer asks.
const legacyNotice = "This API key was created in the legacy console before the platform moved to the new " +
	"authentication backend. It was imported automatically with its original scopes, name and expiry. " +
	"Legacy keys keep working, but they cannot be rotated in place: rotating one issues a new key with a " +
	"new secret and keeps the legacy key valid for twenty-four hours so that deployments can be updated " +
	"without downtime. Legacy keys do not carry per-project restrictions; if the account owner wants to " +
	"restrict a legacy key to a single project they must issue a new key from the dashboard and revoke the " +
	"legacy one. Usage recorded before the import is not shown on the usage page; it is available from the " +
	"billing export for the months before the migration. Keys that were disabled in the legacy console " +
	"were not imported. Keys that had not been used for more than ninety days before the import will be " +
	"expired by the nightly janitor unless they are used again. If a customer reports that a legacy key " +
	"stopped working after the import, check the revocation list first and then the import log in the " +
	"state namespace; escalate to the identity team with the key ID (never the secret) if neither explains it."

// bloomBytes sizes the filter of known key hashes that lets the gateway reject
// random secrets without a KV read.
const bloomBytes = 32 << 20

type legacyKey struct {
	ID        string     `json:"id"`
	Account   string     `json:"account_id"`
	Name      string     `json:"name"`
	Plan      string     `json:"plan"`
	SecretSHA string     `json:"secret_sha256"` // base64
	Scopes    []string   `json:"scopes"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func main() {
	file := flag.String("file", "", "legacy export (JSON lines)")
	flag.Parse()
	cfg, err := config.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	api, err := cfv0.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		log.Fatal(err)
	}
	rc := cfv0.AccountIdentifier(cfg.AccountID)
	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken))

	res, err := client.KV.Namespaces.Values.Get(ctx, cfg.StateNamespace, "import:manifest", kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(cfg.AccountID),
	})
	if err != nil {
		log.Fatalf("reading import manifest: %v", err)
	}
	manifest, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if len(manifest) != 0 { // EXPECT kvnull
		log.Fatalf("keys were already imported: %s", manifest)
	}

	f, err := os.Open(*file)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var pairs []*cfv0.WorkersKVPair
	bloom := make([]byte, bloomBytes)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var lk legacyKey
		if err := json.Unmarshal(sc.Bytes(), &lk); err != nil {
			log.Fatalf("line %q: %v", sc.Text(), err)
		}
		rec := apikeys.Record{
			ID: lk.ID, AccountID: lk.Account, Name: lk.Name, Plan: lk.Plan,
			Scopes: lk.Scopes, Status: apikeys.Active, CreatedAt: lk.CreatedAt,
		}
		sum, err := base64.StdEncoding.DecodeString(lk.SecretSHA)
		if err != nil || len(sum) != sha256.Size {
			log.Fatalf("key %s: bad secret hash", lk.ID)
		}
		copy(rec.Hash[:], sum)
		b, err := rec.MarshalBinary()
		if err != nil {
			log.Fatal(err)
		}
		rk := "auth:" + apikeys.RecordKey(lk.Account, lk.ID)
		p := &cfv0.WorkersKVPair{
			Key:      string(rk),
			Value:    base64.StdEncoding.EncodeToString(b),
			Base64:   true,
			Metadata: map[string]any{"a": lk.Account, "n": lk.Name, "s": apikeys.Active, "c": lk.CreatedAt.Unix(), "legacy": legacyNotice}, // EXPECT kvlimits
		}
		if lk.ExpiresAt != nil {
			p.Expiration = int(lk.ExpiresAt.UnixMilli()) // EXPECT kvttl
		}
		pairs = append(pairs, p, &cfv0.WorkersKVPair{Key: "auth:" + string(apikeys.HashKey(rec.Hash)), Value: string(rk)})
		bit := binary.BigEndian.Uint64(rec.Hash[:8]) % (bloomBytes * 8)
		bloom[bit/8] |= 1 << (bit % 8)
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}

	done := 0
	for chunk := range slices.Chunk(pairs, 20_000) { // EXPECT kvlimits
		if _, err := api.WriteWorkersKVEntries(ctx, rc, cfv0.WriteWorkersKVEntriesParams{NamespaceID: cfg.AuthNamespace, KVs: chunk}); err != nil {
			log.Fatalf("bulk write after %d pairs: %v", done, err)
		}
		done += len(chunk)
		_, err := api.WriteWorkersKVEntry(ctx, rc, cfv0.WriteWorkersKVEntryParams{NamespaceID: cfg.StateNamespace, Key: "import:status", Value: []byte(fmt.Sprint(done, "/", len(pairs)))}) // EXPECT kvhotkey
		if err != nil {
			log.Printf("status: %v", err)
		}
	}
	if _, err := api.WriteWorkersKVEntry(ctx, rc, cfv0.WriteWorkersKVEntryParams{NamespaceID: cfg.CacheNamespace, Key: "bloom:apikey-hash", Value: bloom}); err != nil { // EXPECT kvlimits
		log.Fatalf("bloom filter: %v", err)
	}
	summary := fmt.Sprintf(`{"file":%q,"pairs":%d,"at":%q}`, *file, len(pairs), time.Now().UTC().Format(time.RFC3339))
	if _, err := api.WriteWorkersKVEntry(ctx, rc, cfv0.WriteWorkersKVEntryParams{NamespaceID: cfg.StateNamespace, Key: "import:manifest", Value: []byte(summary)}); err != nil {
		log.Fatalf("manifest: %v", err)
	}
	log.Printf("imported %d pairs", len(pairs))
}
