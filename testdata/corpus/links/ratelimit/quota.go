package ratelimit

import (
	"strconv"
	"time"

	"example.com/links/kvx"
	"example.com/links/settings"
)

func quotaKey(apiKey string, now time.Time) string {
	return "quota:" + apiKey + ":" + now.UTC().Format(time.DateOnly)
}

// ConsumeQuota takes one unit of the API key's daily quota.
func ConsumeQuota(apiKey string) (bool, error) {
	ns, err := kvx.Open(settings.StatsKV)
	if err != nil {
		return false, err
	}
	key := quotaKey(apiKey, time.Now())
	cur, _, err := kvx.Load(ns, key)
	if err != nil {
		return false, err
	}
	used, _ := strconv.Atoi(cur)
	if used >= settings.DailyQuota {
		return false, nil
	}
	used++
	if err := kvx.Save(ns, key, strconv.Itoa(used), 26*60*60); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

// Remaining reports what is left of today's quota.
func Remaining(apiKey string) (int, error) {
	ns, err := kvx.Open(settings.StatsKV)
	if err != nil {
		return 0, err
	}
	cur, _, err := kvx.Load(ns, quotaKey(apiKey, time.Now()))
	if err != nil {
		return 0, err
	}
	used, _ := strconv.Atoi(cur)
	return max(settings.DailyQuota-used, 0), nil
}
