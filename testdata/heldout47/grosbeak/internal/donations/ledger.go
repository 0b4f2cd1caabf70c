//go:build !js

// Package donations keeps the campaign totals shown on the lobby screens
// and the donation ledger.
package donations

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"strconv"
	"strings"
	"sync"
	"time"

	"grosbeak/internal/cfkv"
	"grosbeak/internal/keys"
	"grosbeak/internal/museum"
)

// Gift is one donation as the payment processor reports it.
type Gift struct {
	ID       string    `json:"id"`
	Campaign string    `json:"campaign"`
	Cents    int64     `json:"cents"`
	Donor    string    `json:"donor"`
	Public   bool      `json:"public"`
	At       time.Time `json:"at"`
	Matching bool      `json:"matching,omitempty"`
}

// Ledger records gifts.
type Ledger struct {
	REST *cfkv.REST
	SDK  *cfkv.SDK

	mu     sync.Mutex
	donors map[string]map[string]bool
	counts map[string]int
}

// New returns a Ledger.
func New(rest *cfkv.REST, sdk *cfkv.SDK) *Ledger {
	return &Ledger{REST: rest, SDK: sdk, donors: map[string]map[string]bool{}, counts: map[string]int{}}
}

var receiptTmpl = "Thank you, %s, for your gift of $%d.%02d to %s.\nReference: %s\n"

// Record files one gift: campaign total, daily ledger, receipt, and the
// matching-gift window.
func (l *Ledger) Record(ctx context.Context, g Gift) error {
	var nf *museum.NotFoundError

	key := keys.DonationTotalPrefix + g.Campaign
	raw, err := l.REST.Get(ctx, key)
	var total int64
	switch {
	case errors.As(err, &nf):
		total = 0
	case err != nil:
		return fmt.Errorf("total %s: %w", g.Campaign, err)
	default:
		total, err = strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
		if err != nil {
			return fmt.Errorf("total %s: %w", g.Campaign, err)
		}
	}
	total += g.Cents
	if err := l.REST.Put(ctx, key, strings.NewReader(strconv.FormatInt(total, 10)), 0); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	key = keys.DonationLedgerPrefix + g.Campaign + ":" + g.At.UTC().Format("20060102")
	raw, err = l.REST.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		raw = nil
	}
	var day []Gift
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		var prev Gift
		if json.Unmarshal(sc.Bytes(), &prev) == nil {
			if prev.ID == g.ID {
				return nil
			}
			day = append(day, prev)
		}
	}
	day = append(day, g)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, x := range day {
		if err := enc.Encode(x); err != nil {
			return err
		}
	}
	if err := l.REST.Put(ctx, key, &buf, 400*24*3600); err != nil { // EXPECT kvrace
		return err
	}

	{
		key := keys.DonationLedgerPrefix + "receipt:" + g.ID
		var body bytes.Buffer
		fmt.Fprintf(&body, receiptTmpl, g.Donor, g.Cents/100, g.Cents%100, g.Campaign, g.ID)
		if err := l.SDK.Write(ctx, key, body.String(), 90*24*time.Hour); err != nil {
			return err
		}
	}

	if g.Matching {
		key = keys.DonationLedgerPrefix + "match:" + g.Campaign
		closeAt := g.At.Add(48 * time.Hour)
		err = l.REST.PutUntil(ctx, key, strings.NewReader(g.ID), closeAt.UnixMilli()) // EXPECT kvttl
		if err != nil {
			return err
		}
	}

	l.mu.Lock()
	if l.donors[g.Campaign] == nil {
		l.donors[g.Campaign] = map[string]bool{}
	}
	l.donors[g.Campaign][g.Donor] = true
	l.mu.Unlock()
	return nil
}

// Batch records a processor export and refreshes the lobby ticker.
func (l *Ledger) Batch(ctx context.Context, gifts []Gift) error {
	var failed []string
	for _, g := range gifts {
		if err := l.Record(ctx, g); err != nil {
			log.Printf("gift %s: %v", g.ID, err)
			failed = append(failed, g.ID)
			continue
		}
		if g.Public {
			line := fmt.Sprintf("%s gave $%d to %s", g.Donor, g.Cents/100, g.Campaign)
			if err := l.SDK.Write(ctx, keys.DonationTickerKey, line, 0); err != nil { // EXPECT kvhotkey
				log.Printf("ticker: %v", err)
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d gifts failed: %s", len(failed), strings.Join(failed, ","))
	}
	return nil
}

// FlushDonorCounts publishes distinct-donor counts gathered since the
// last flush.
func (l *Ledger) FlushDonorCounts(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for campaign, set := range l.donors {
		l.counts[campaign] += len(set)
		v := strconv.Itoa(l.counts[campaign])
		if err := l.SDK.Write(ctx, keys.DonationDonorCountPrefix+campaign, v, 0); err != nil { // EXPECT kvcounter
			return err
		}
		delete(l.donors, campaign)
	}
	return nil
}

// CampaignTotal reads a campaign's running total in cents.
func (l *Ledger) CampaignTotal(ctx context.Context, campaign string) (int64, error) {
	res, err := l.SDK.Values().Get(ctx, l.SDK.NamespaceID, keys.DonationTotalPrefix+campaign,
		kvGetParams(l.SDK.AccountID))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	}
	return 0, nil
}

// Leaderboard caches the rendered leaderboard for the lobby screens.
func (l *Ledger) Leaderboard(ctx context.Context, render func() (string, error)) (string, error) {
	key := keys.DonationTotalPrefix + "leaderboard"
	raw, err := l.SDK.Read(ctx, key)
	var nf *museum.NotFoundError
	if err == nil {
		return string(raw), nil
	}
	if !errors.As(err, &nf) {
		return "", err
	}
	html, err := render()
	if err != nil {
		return "", err
	}
	if err := l.SDK.WriteCache(ctx, key, html, 20*time.Second); err != nil {
		log.Printf("leaderboard cache: %v", err)
	}
	return html, nil
}

// Thermometer caches the fundraising-thermometer SVG for one campaign.
func (l *Ledger) Thermometer(ctx context.Context, campaign string, render func(int64) string) (string, error) {
	key := keys.DonationTotalPrefix + "svg:" + campaign
	if raw, err := l.SDK.Read(ctx, key); err == nil { // DEBATABLE kvnull
		return string(raw), nil
	}
	total, err := l.CampaignTotal(ctx, campaign)
	if err != nil {
		return "", err
	}
	svg := render(total)
	if err := l.SDK.Write(ctx, key, svg, 30*time.Second); err != nil { // EXPECT kvttl
		log.Printf("thermometer cache: %v", err)
	}
	return svg, nil
}
