// Command reportctl is the legacy reporting tool. It predates the REST
// adapter and talks to KV through database/sql with the kvsql driver.
//
//	reportctl [flags] rollup|settings|publish|revoke|top ARGS...
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/quetzal-analytics/quetzal/internal/kvsql"
	"github.com/quetzal-analytics/quetzal/internal/kvstore"
)

// topPagesSQL is the warehouse query behind the "top pages" report. Its text
// doubles as the cache key of the report result.
const topPagesSQL = `SELECT p.site_id, p.path, COUNT(*) AS views, COUNT(DISTINCT p.visitor_hash) AS visitors,
       AVG(p.duration_ms) AS avg_duration, SUM(CASE WHEN p.bounced THEN 1 ELSE 0 END) AS bounces
  FROM pageviews p
  JOIN sites s ON s.id = p.site_id AND s.deleted_at IS NULL
 WHERE p.ts >= date_trunc('day', now() - interval '30 days')
   AND p.ts <  date_trunc('day', now())
   AND p.is_bot = false
   AND p.path NOT LIKE '/wp-admin%' AND p.path NOT LIKE '/.well-known/%'
 GROUP BY p.site_id, p.path
HAVING COUNT(*) > 10
 ORDER BY p.site_id, views DESC
 LIMIT 500`

func main() {
	account := flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
	namespace := flag.String("namespace", os.Getenv("QUETZAL_KV_NAMESPACE"), "KV namespace ID")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: reportctl rollup|settings|publish|revoke|top ...")
	}
	st := kvstore.Dial(os.Getenv("CLOUDFLARE_API_TOKEN"), *account, *namespace)
	db := kvsql.Open(st)
	defer db.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	var err error
	switch cmd, args := flag.Arg(0), flag.Args()[1:]; cmd {
	case "rollup":
		err = rollup(ctx, db, args)
	case "settings":
		err = dumpSettings(ctx, db)
	case "publish":
		err = publish(ctx, db, args)
	case "revoke":
		err = revoke(ctx, db, args)
	case "top":
		err = top(ctx, db)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// rollup copies the daily report of each named site into the monthly report
// and records progress for the ops dashboard.
func rollup(ctx context.Context, db *sql.DB, siteIDs []string) error {
	if err := lock(ctx, db, "rollup"); err != nil {
		return err
	}
	month := time.Now().UTC().Format("200601")
	day := time.Now().UTC().Format("20060102")
	for i, id := range siteIDs {
		var key, daily string
		err := db.QueryRowContext(ctx, "GET ?", "report:"+id+":"+day).Scan(&key, &daily)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		var monthly map[string]int
		var raw string
		switch err := db.QueryRowContext(ctx, "GET ?", "report:"+id+":"+month).Scan(&key, &raw); {
		case errors.Is(err, sql.ErrNoRows):
			monthly = map[string]int{}
		case err != nil:
			return err
		default:
			if err := json.Unmarshal([]byte(raw), &monthly); err != nil {
				return err
			}
		}
		var today map[string]int
		if err := json.Unmarshal([]byte(daily), &today); err != nil {
			return err
		}
		for path, n := range today {
			monthly[path] += n
		}
		out, _ := json.Marshal(monthly)
		if _, err := db.ExecContext(ctx, "PUT ? ? TTL ?", "report:"+id+":"+month, string(out), 40*86400); err != nil { // EXPECT kvrace|kvcounter
			return err
		}
		if _, err := db.ExecContext(ctx, "PUT ? ? TTL ?", "report:progress", fmt.Sprintf("%d/%d", i+1, len(siteIDs)), 3600); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return bumpRuns(ctx, db, "rollup")
}

// lock refuses to run when another rollup holds the lock.
func lock(ctx context.Context, db *sql.DB, job string) error {
	var key, holder string
	err := db.QueryRowContext(ctx, "GET ?", "report-lock:"+job).Scan(&key, &holder)
	if err == nil {
		return fmt.Errorf("%s is locked by %s", job, holder)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	host, _ := os.Hostname()
	_, err = db.ExecContext(ctx, "PUT ? ? TTL ?", "report-lock:"+job, host, 1800) // EXPECT kvrace
	return err
}

// bumpRuns keeps the number of runs per job and day for the ops dashboard.
func bumpRuns(ctx context.Context, db *sql.DB, job string) error {
	key := "report-runs:" + job + ":" + time.Now().UTC().Format("20060102")
	var k string
	var n int
	if err := db.QueryRowContext(ctx, "GET ?", key).Scan(&k, &n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err := db.ExecContext(ctx, "PUT ? ? TTL ?", key, n+1, 7*86400) // EXPECT kvcounter|kvrace
	return err
}

// dumpSettings prints the settings of every site.
func dumpSettings(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "SCAN ?", "settings:")
	if err != nil {
		return err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k, unused string
		if err := rows.Scan(&k, &unused); err != nil {
			return err
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range keys {
		var key, val string
		if err := db.QueryRowContext(ctx, "GET ?", k).Scan(&key, &val); err != nil { // EXPECT kvlist
			return fmt.Errorf("%s: %w", k, err)
		}
		fmt.Printf("%s\t%s\n", strings.TrimPrefix(key, "settings:"), val)
	}
	return nil
}

// publish stores rendered reports for the customer portal.
func publish(ctx context.Context, db *sql.DB, files []string) error {
	day := time.Now().UTC().Format("20060102")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(f, ".json")
		if _, err := db.ExecContext(ctx, "PUT ? ? TTL ?", "published:"+name+":"+day, string(b), 30*86400); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, "PUT ? ? TTL ?", "published-preview:"+name, string(b), 30); err != nil { // EXPECT kvttl
			return err
		}
		if _, err := db.ExecContext(ctx, "PUT ? ? TTL ?", "published-index:"+name, day, 24*time.Hour); err != nil { // EXPECT kvttl
			return err
		}
	}
	return nil
}

// revoke signs out the given dashboard sessions, for support tickets.
func revoke(ctx context.Context, db *sql.DB, ids []string) error {
	for _, id := range ids {
		if _, err := db.ExecContext(ctx, "DEL ?", "sess:"+id); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

// top prints the cached top-pages report.
func top(ctx context.Context, db *sql.DB) error {
	var key, val string
	err := db.QueryRowContext(ctx, "GET ?", "q:"+topPagesSQL).Scan(&key, &val) // EXPECT kvlimits
	if errors.Is(err, sql.ErrNoRows) {
		return errors.New("report not built yet; run the warehouse job")
	}
	if err != nil {
		return err
	}
	fmt.Println(val)
	return nil
}
