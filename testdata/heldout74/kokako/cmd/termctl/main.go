// Command termctl is the registrar office's term-setup tool: it seeds seat
// counts, imports sections, issues PINs and runs exports by hand.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/samber/do"

	"github.com/kokako-uni/kokako/internal/jobs"
	"github.com/kokako-uni/kokako/internal/kvstore"
	"github.com/kokako-uni/kokako/internal/locator"
	"github.com/kokako-uni/kokako/internal/pins"
	"github.com/kokako-uni/kokako/internal/roster"
	"github.com/kokako-uni/kokako/internal/settings"
	"github.com/kokako-uni/kokako/internal/sis"
	"github.com/kokako-uni/kokako/internal/term"
	"github.com/kokako-uni/kokako/internal/wiring"
)

type app struct {
	loc   *locator.Locator
	inj   *do.Injector
	terms *term.Service
	seats *kvstore.Namespace
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: termctl seed|import|pins|export|deadlines|job ...")
		os.Exit(2)
	}
	ctx := context.Background()
	a, err := build()
	if err != nil {
		log.Fatal(err)
	}
	cmd, args := os.Args[1], os.Args[2:]
	switch cmd {
	case "seed":
		err = a.seed(ctx, args)
	case "import":
		err = a.importSections(ctx, args)
	case "pins":
		err = a.issuePins(ctx, args)
	case "export":
		err = roster.NewExporter(a.loc).Export(ctx, args[0])
	case "deadlines":
		err = a.deadlines(ctx, args)
	case "job":
		err = jobs.NewRunner(a.loc).RunOnce(ctx, args[0])
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func build() (*app, error) {
	upstream := sis.New(os.Getenv("SIS_URL"))
	c, err := wiring.NewContainer(settings.AccountFromEnv(), wiring.Upstreams{Catalog: upstream})
	if err != nil {
		return nil, err
	}
	inj, err := wiring.NewInjector(c, upstream)
	if err != nil {
		return nil, err
	}
	loc, err := wiring.BuildLocator(c, inj, upstream, jobs.DeptQuotas{})
	if err != nil {
		return nil, err
	}
	a := &app{loc: loc, inj: inj}
	err = c.Invoke(func(t *term.Service, ns wiringSeats) {
		a.terms = t
		a.seats = ns.Seats
	})
	return a, err
}

// seed loads opening seat counts from a CSV of section,capacity rows.
func (a *app) seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	file := fs.String("file", "seats.csv", "CSV of section,capacity")
	_ = fs.Parse(args)

	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	var body []kv.NamespaceBulkUpdateParamsBody
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F("seats:" + rec[0]),
			Value: cloudflare.F(rec[1]),
		})
	}
	client := a.seats.Client()
	for start := 0; start < len(body); start += 25_000 {
		if _, err := client.KV.Namespaces.Bulk.Update(ctx, a.seats.ID(), kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(a.seats.AccountID()),
			Body:      body[start:min(start+25_000, len(body))], // EXPECT kvlimits
		}); err != nil {
			return err
		}
	}
	log.Printf("seeded %d sections", len(body))
	return nil
}

// importSections copies sections from a JSON-lines file into the terms
// namespace, remembering how far it got so an interrupted run can resume.
func (a *app) importSections(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	file := fs.String("file", "sections.jsonl", "one section per line")
	termID := fs.String("term", "", "term id")
	_ = fs.Parse(args)

	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	terms := locator.Resolve[jobs.JobsKV](a.loc)
	line := 0
	for sc.Scan() {
		line++
		var sec term.Section
		if err := json.Unmarshal(sc.Bytes(), &sec); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if _, err := a.terms.Section(ctx, *termID, sec.ID); err != nil {
			log.Printf("line %d: %v", line, err)
		}
		if err := terms.Put(ctx, "import:cursor:"+*termID, []byte(strconv.Itoa(line)), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return sc.Err()
}

// issuePins creates a PIN for every student of the cohort file.
func (a *app) issuePins(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("pins", flag.ExitOnError)
	file := fs.String("file", "cohort.txt", "one student id per line")
	termID := fs.String("term", "", "term id")
	_ = fs.Parse(args)

	store := do.MustInvoke[*pins.Store](a.inj)
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	out := csv.NewWriter(os.Stdout)
	defer out.Flush()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		student := sc.Text()
		pin, err := store.Issue(ctx, student, *termID)
		if err != nil {
			return fmt.Errorf("%s: %w", student, err)
		}
		_ = out.Write([]string{student, pin})
	}
	return sc.Err()
}

// deadlines caches the drop deadline of every section of a term, and the
// term's add/drop window.
func (a *app) deadlines(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("deadlines", flag.ExitOnError)
	termID := fs.String("term", "", "term id")
	addDropEnds := fs.String("add-drop-ends", "", "RFC 3339 end of the add/drop window")
	_ = fs.Parse(args)

	ends, err := time.Parse(time.RFC3339, *addDropEnds)
	if err != nil {
		return err
	}
	if err := a.terms.CacheAddDropWindow(ctx, term.Settings{Term: *termID, AddDropEnds: ends}); err != nil {
		return err
	}
	upstream := sis.New(os.Getenv("SIS_URL"))
	sections, err := upstream.Sections(ctx, *termID)
	if err != nil {
		return err
	}
	for _, sec := range sections {
		if err := a.terms.CacheDeadline(ctx, *termID, sec); err != nil {
			return err
		}
	}
	return nil
}
