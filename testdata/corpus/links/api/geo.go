package api

import (
	"encoding/json"
	"log"

	"github.com/syumai/workers/cloudflare"
)

const recentCountries = 20

// recordCountry keeps the countries of a link's most recent visitors, newest
// first, for the live map on the dashboard.
func recordCountry(ns *cloudflare.KVNamespace, slug, country string) {
	if country == "" || country == "XX" {
		return
	}
	key := "geo:recent:" + slug
	var recent []string
	raw, err := ns.GetString(key, nil)
	if err != nil {
		log.Printf("geo %s: %v", slug, err)
		return
	}
	if raw != "<null>" {
		_ = json.Unmarshal([]byte(raw), &recent)
	}
	recent = append([]string{country}, recent...)
	if len(recent) > recentCountries {
		recent = recent[:recentCountries]
	}
	b, _ := json.Marshal(recent)
	if err := ns.PutString(key, string(b), nil); err != nil { // EXPECT kvrace
		log.Printf("geo %s: %v", slug, err)
	}
}
