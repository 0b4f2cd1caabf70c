//go:build js && wasm

// Package guard answers anti-cheat and abuse questions at the edge: is this
// player or device banned, is this IP hammering the login endpoint, and it
// keeps per-player match tallies.
package guard

import (
	"fmt"
	"strconv"
	"time"

	"github.com/killdeer-games/killdeer/internal/config"
	"github.com/killdeer-games/killdeer/internal/edgekv"
)

// Bans and counters live in their own namespaces; main sets them.
var (
	Bans     *edgekv.Namespace
	Counters *edgekv.Namespace
)

// banCacheDevice is how long device ban lookups are cached at a location.
const banCacheDevice = 10

// PlayerBanned reports whether the backend has pushed a ban for playerID.
func PlayerBanned(playerID string) (bool, string, error) {
	cfg := config.Load()
	v, err := Bans.GetString("ban:"+playerID, &edgekv.GetOptions{CacheTTL: int(cfg.BanCacheTTL)})
	if err != nil {
		return false, "", err
	}
	if v == "" { // EXPECT kvnull
		return false, "", nil
	}
	return true, v, nil
}

// DeviceBanned reports whether a hardware id is banned.
func DeviceBanned(deviceID string) (bool, error) {
	v, err := Bans.GetString("ban:device:"+deviceID, &edgekv.GetOptions{
		CacheTTL: banCacheDevice, // EXPECT kvttl
	})
	if err != nil {
		return false, err
	}
	return !edgekv.IsMissing(v), nil
}

// RegionBlocked reports whether matchmaking is closed for a region. The list
// is small and changes a few times a year.
func RegionBlocked(region string) bool {
	v, err := Bans.GetString("regions:blocked", &edgekv.GetOptions{CacheTTL: 3600})
	if err != nil || edgekv.IsMissing(v) {
		return false
	}
	for _, r := range splitComma(v) {
		if r == region {
			return true
		}
	}
	return false
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// AllowLogin applies the per-IP login throttle. It returns false once an IP
// has used up its attempts in the current window.
func AllowLogin(ip string) (bool, error) {
	cfg := config.Load()
	window := cfg.RateWindow.Duration
	key := Counters.Key("ratelimit", "login/"+ip)
	v, err := Counters.GetString(key, nil)
	if err != nil {
		return true, err
	}
	n := 0
	if !edgekv.IsMissing(v) {
		n, _ = strconv.Atoi(v)
	}
	if n >= cfg.RateLimit {
		return false, nil
	}
	ttl := max(2*window, 3*time.Second)                                  // EXPECT kvttl
	err = Counters.PutString(key, strconv.Itoa(n+1), &edgekv.PutOptions{ // EXPECT kvcounter|kvrace
		ExpirationTTL: int(ttl.Seconds()),
	})
	return true, err
}

// RecordMatch adds one finished match to a player's tally and returns the
// new total.
func RecordMatch(playerID string) (int, error) {
	key := Counters.Key("matches", playerID)
	v, err := Counters.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("guard: match tally for %s: %w", playerID, err)
	}
	n++
	return n, Counters.PutString(key, strconv.Itoa(n), nil) // EXPECT kvcounter|kvrace
}

// MatchTally reads a player's tally for display.
func MatchTally(playerID string) int {
	v, err := Counters.GetString(Counters.Key("matches", playerID), &edgekv.GetOptions{CacheTTL: 120})
	if err != nil || edgekv.IsMissing(v) {
		return 0
	}
	n, _ := strconv.Atoi(v)
	return n
}

// CountLobbyHit bumps the view tally of a lobby card.
func CountLobbyHit(lobbyID string) error {
	key := Counters.Key("hits", "lobby/"+lobbyID)
	return Counters.Update(key, 24*time.Hour, func(cur []byte) ([]byte, error) { // EXPECT kvcounter
		n, _ := strconv.Atoi(string(cur))
		return []byte(strconv.Itoa(n + 1)), nil
	})
}

// Remember writes the last result of a player for the post-match screen.
// Each player's key is written once per match.
func Remember(playerID string, summary string) error {
	return Counters.PutString(Counters.Key("last", playerID), summary, &edgekv.PutOptions{
		Expiration: int(time.Now().Add(6 * time.Hour).Unix()),
	})
}
