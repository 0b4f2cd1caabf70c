package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/fernhill/plover/internal/cfkv"
	"github.com/fernhill/plover/internal/plan"
)

var errSlugTaken = errors.New("slug already claimed")

// writers are the write primitives the flag commands pick by mode.
var writers = map[string]func(*cfkv.Client, context.Context, string, []byte, time.Duration) error{
	"put": (*cfkv.Client).Put,
}

type getOptions struct {
	key string
}

func runGet(ctx context.Context, args []string) error {
	var o getOptions
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	fs.StringVar(&o.key, "key", "", "key to read")
	if err := fs.Parse(args); err != nil {
		return err
	}
	res, err := client.API.KV.Namespaces.Values.Get(ctx, client.Namespace, o.key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(client.AccountID),
	})
	var raw []byte
	if err == nil {
		raw, _ = io.ReadAll(res.Body)
		res.Body.Close()
	}
	if len(raw) > 0 { // EXPECT kvnull
		_, err = os.Stdout.Write(raw)
		return err
	}
	return fmt.Errorf("%s: not found", o.key)
}

type claimOptions struct {
	tenant string
	slug   string
}

func runClaimSlug(ctx context.Context, args []string) error {
	var o claimOptions
	fs := flag.NewFlagSet("claim-slug", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant id")
	fs.StringVar(&o.slug, "slug", "", "flag slug")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key := "slug:" + o.slug
	_, found, err := client.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("claim %s: %w", o.slug, err)
	}
	if found {
		return errSlugTaken
	}
	return client.Put(ctx, key, []byte(o.tenant), 0) // EXPECT kvrace
}

type rolloutOptions struct {
	tenant  string
	flag    string
	percent int
	mode    string
}

type flagDef struct {
	Key      string `json:"key"`
	Version  int    `json:"version"`
	Enabled  bool   `json:"enabled"`
	Variants []struct {
		Name   string          `json:"name"`
		Weight int             `json:"weight"`
		Value  json.RawMessage `json:"value"`
	} `json:"variants"`
}

func runRollout(ctx context.Context, args []string) error {
	var o rolloutOptions
	fs := flag.NewFlagSet("rollout", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant id")
	fs.StringVar(&o.flag, "flag", "", "flag key")
	fs.IntVar(&o.percent, "percent", 0, "share of subjects in the treatment arm")
	fs.StringVar(&o.mode, "mode", "put", "write mode")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.percent < 0 || o.percent > 100 {
		return fmt.Errorf("percent out of range: %d", o.percent)
	}
	key := "t:" + o.tenant + ":def:" + o.flag
	raw, found, err := client.Get(ctx, key)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("flag %s not defined for %s", o.flag, o.tenant)
	}
	var def flagDef
	if err := json.Unmarshal(raw, &def); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	if len(def.Variants) != 2 {
		return fmt.Errorf("rollout needs exactly two variants, %s has %d", o.flag, len(def.Variants))
	}
	def.Variants[0].Weight = (100 - o.percent) * 100
	def.Variants[1].Weight = o.percent * 100
	def.Version++
	out, _ := json.Marshal(def)
	write := writers[o.mode]
	if write == nil {
		return fmt.Errorf("unknown mode %q", o.mode)
	}
	return write(client, ctx, key, out, 0) // EXPECT kvrace
}

type defaultOptions struct {
	tenant  string
	flag    string
	variant string
}

func runSetDefault(ctx context.Context, args []string) error {
	var o defaultOptions
	fs := flag.NewFlagSet("set-default", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant id")
	fs.StringVar(&o.flag, "flag", "", "flag key")
	fs.StringVar(&o.variant, "variant", "", "default variant")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key := "t:" + o.tenant + ":ovrdoc:" + o.flag
	doc := map[string]any{"flag": o.flag, "rules": []any{}}
	res, err := client.API.KV.Namespaces.Values.Get(ctx, client.Namespace, key, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(client.AccountID),
	})
	if err == nil {
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
	}
	doc["default"] = o.variant
	b, _ := json.Marshal(doc)
	return client.Put(ctx, key, b, plan.For(plan.Team).OverrideTTL) // EXPECT kvrace
}

type rotateOptions struct {
	tenant string
	old    string
}

func sdkKeyHash(k string) string {
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:])
}

func runRotateKey(ctx context.Context, args []string) error {
	var o rotateOptions
	fs := flag.NewFlagSet("rotate-sdk-key", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant id")
	fs.StringVar(&o.old, "old", "", "SDK key being retired")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	fresh := "plv_" + hex.EncodeToString(b[:])
	rec, _ := json.Marshal(map[string]string{"tenant": o.tenant, "created": time.Now().UTC().Format(time.RFC3339)})
	if err := client.Put(ctx, "sdktoken:"+sdkKeyHash(fresh), rec, 0); err != nil { // DEBATABLE kvsession
		return fmt.Errorf("issue key: %w", err)
	}
	if o.old != "" {
		if err := client.Delete(ctx, "sdktoken:"+sdkKeyHash(o.old)); err != nil { // EXPECT kvsession
			return fmt.Errorf("retire key: %w", err)
		}
	}
	fmt.Println(fresh)
	return nil
}

type quotaOptions struct {
	tenant string
	limit  int
}

func runSetQuota(ctx context.Context, args []string) error {
	var o quotaOptions
	fs := flag.NewFlagSet("set-quota", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant id")
	fs.IntVar(&o.limit, "limit", 1_000_000, "evaluations per month")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return client.Put(ctx, "quota:"+o.tenant, []byte(strconv.Itoa(o.limit)), 0) // DEBATABLE kvcounter
}

type warmOptions struct {
	tenant string
	tier   string
	file   string
}

func runWarm(ctx context.Context, args []string) error {
	var o warmOptions
	fs := flag.NewFlagSet("warm", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant id")
	fs.StringVar(&o.tier, "plan", plan.Free, "tenant plan")
	fs.StringVar(&o.file, "f", "", "JSON array of flag definitions")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, err := os.ReadFile(o.file)
	if err != nil {
		return err
	}
	var defs []flagDef
	if err := json.Unmarshal(raw, &defs); err != nil {
		return err
	}
	ttl := plan.For(o.tier).CacheTTL
	for _, d := range defs {
		b, _ := json.Marshal(d)
		if err := client.Put(ctx, "t:"+o.tenant+":flag:"+d.Key, b, ttl); err != nil {
			return err
		}
	}
	return nil
}
