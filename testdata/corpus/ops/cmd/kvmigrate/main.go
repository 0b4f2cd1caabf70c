// Command kvmigrate moves account records from the v1 key layout
// ("account:v1:<id>", flat JSON) to v2 ("account:v2:<id>", nested), or copies
// them as-is into another namespace with -copy-to.
//
//	kvmigrate -ids ids.txt [-delete-old] [-copy-to <namespace>]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/ops/internal/cfclient"
	"example.com/ops/internal/config"
)

type accountV1 struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Plan     string `json:"plan"`
	Country  string `json:"country"`
	Currency string `json:"currency"`
}

type accountV2 struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Billing struct {
		Plan     string `json:"plan"`
		Currency string `json:"currency"`
	} `json:"billing"`
	Locale struct {
		Country string `json:"country"`
	} `json:"locale"`
	SchemaVersion int `json:"schema_version"`
}

func upgrade(v1 accountV1) accountV2 {
	var v2 accountV2
	v2.ID, v2.Name = v1.ID, v1.Name
	v2.Billing.Plan, v2.Billing.Currency = v1.Plan, v1.Currency
	v2.Locale.Country = v1.Country
	v2.SchemaVersion = 2
	return v2
}

type migrator struct {
	api       *cloudflare.API
	rc        *cloudflare.ResourceContainer
	src       string
	deleteOld bool
}

func (m *migrator) read(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := m.api.GetWorkersKV(ctx, m.rc, cloudflare.GetWorkersKVParams{NamespaceID: m.src, Key: key})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return nil, false, nil
	}
	return b, err == nil, err
}

func (m *migrator) upgradeOne(ctx context.Context, id string) error {
	oldKey := "account:v1:" + id
	raw, ok, err := m.read(ctx, oldKey)
	if err != nil || !ok {
		return err
	}
	var v1 accountV1
	if err := json.Unmarshal(raw, &v1); err != nil {
		return err
	}
	b, err := json.Marshal(upgrade(v1))
	if err != nil {
		return err
	}
	if _, err := m.api.WriteWorkersKVEntry(ctx, m.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: m.src,
		Key:         "account:v2:" + id,
		Value:       b,
	}); err != nil {
		return err
	}
	if !m.deleteOld {
		return nil
	}
	_, err = m.api.DeleteWorkersKVEntry(ctx, m.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: m.src, Key: oldKey})
	return err
}

func (m *migrator) copyOne(ctx context.Context, dst, id string) error {
	key := "account:v2:" + id
	raw, ok, err := m.read(ctx, key)
	if err != nil || !ok {
		return err
	}
	_, err = m.api.WriteWorkersKVEntry(ctx, m.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: dst,
		Key:         key,
		Value:       raw,
	})
	return err
}

func main() {
	idsFile := flag.String("ids", "", "file with one account ID per line")
	deleteOld := flag.Bool("delete-old", false, "delete v1 keys after writing v2")
	copyTo := flag.String("copy-to", "", "copy v2 records to this namespace instead of upgrading")
	flag.Parse()

	api, rc, err := cfclient.Legacy()
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(*idsFile)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	m := &migrator{api: api, rc: rc, src: config.NamespaceLegacy, deleteOld: *deleteOld}
	step := m.upgradeOne
	if *copyTo != "" {
		step = func(ctx context.Context, id string) error { return m.copyOne(ctx, *copyTo, id) }
	}

	ctx := context.Background()
	sc := bufio.NewScanner(f)
	n, failed := 0, 0
	for sc.Scan() {
		id := strings.TrimSpace(sc.Text())
		if id == "" || strings.HasPrefix(id, "#") {
			continue
		}
		if err := step(ctx, id); err != nil {
			log.Printf("%s: %v", id, err)
			failed++
		}
		n++
		if n%500 == 0 {
			log.Printf("%d done, %d failed", n, failed)
		}
		time.Sleep(250 * time.Millisecond) // stay under the API's write rate limit
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	log.Printf("finished: %d accounts, %d failed", n, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
