//go:build js && wasm

package api

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/syumai/workers/cloudflare"

	"plover/internal/enc"
	"plover/internal/keys"
)

const maxCronPages = 20

var (
	lastRunKey       = "cron:last-run"
	resetProgressKey = keys.Key("cron:reset-progress")
)

// Scheduled runs the Worker's cron trigger (every 15 minutes).
func (s *Server) Scheduled(ctx context.Context, when time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 25*time.Second)
	defer cancel()

	first := false
	if raw, err := s.Meta.Raw(lastRunKey); err != nil {
		return err
	} else if raw == "" { // EXPECT kvnull
		first = true
	}

	orgs, err := s.allOrgs()
	if err != nil {
		return err
	}
	if when.Day() == 1 && (first || when.Hour() == 0 && when.Minute() < 15) {
		month := when.Year()*100 + int(when.Month())
		for _, org := range orgs {
			if err := s.Limits.ResetMonth(org, month); err != nil {
				return fmt.Errorf("cron: reset %s: %w", org, err)
			}
			if err := s.Meta.Put(resetProgressKey, org, 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
	}

	if err := s.sweepUploads(ctx); err != nil {
		log.Printf("cron: sweep uploads: %v", err)
	}
	if err := s.expireCodes(ctx); err != nil {
		log.Printf("cron: expire codes: %v", err)
	}
	return s.Meta.Put(keys.Key(lastRunKey), enc.Stamp(when), 0)
}

// allOrgs returns every organisation that currently has running jobs.
func (s *Server) allOrgs() ([]string, error) {
	ns := s.Meta.NS()
	opts := &cloudflare.KVNamespaceListOptions{Prefix: string(keys.OrgRunning)}
	var orgs []string
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			orgs = append(orgs, keys.OrgRunning.Trim(k.Name))
		}
		if res.ListComplete {
			return orgs, nil
		}
		opts.Cursor = res.Cursor
	}
}

// sweepUploads removes upload progress records written before uploads got
// a lifetime.
func (s *Server) sweepUploads(ctx context.Context) error {
	ns := s.Cache.NS()
	cursor := ""
	for ctx.Err() == nil {
		res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: string(keys.Upload), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		cursor = res.Cursor
	}
	return ctx.Err()
}

// expireCodes deletes registration codes issued before codes had a
// lifetime; they never expire on their own.
func (s *Server) expireCodes(ctx context.Context) error {
	ns := s.Auth.NS()
	opts := &cloudflare.KVNamespaceListOptions{Prefix: string(keys.RegCode), Limit: 1000}
	for page := 0; page < maxCronPages; page++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				if err := ns.Delete(k.Name); err != nil { // DEBATABLE kvsession
					return err
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return nil
}
