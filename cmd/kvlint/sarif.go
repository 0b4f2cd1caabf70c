package main

// This file writes SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/),
// the subset that GitHub code scanning reads: one rule per analyzer, its
// help taken from Analyzer.Doc and Analyzer.URL, and one result per finding.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"go/token"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"

	"golang.org/x/tools/go/analysis"
)

type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                           `json:"columnKind"`
	Results            []sarifResult                    `json:"results"`
	Invocations        []sarifInvocation                `json:"invocations"`
}

// A sarifInvocation says whether the run analyzed everything it was asked
// to; each package it could not is a notification.
type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string       `json:"level"`
	Message sarifMessage `json:"message"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	ShortDescription     sarifMessage       `json:"shortDescription"`
	FullDescription      sarifMessage       `json:"fullDescription"`
	Help                 sarifMessage       `json:"help"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]string `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               int                   `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifMessage         `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           sarifRegion           `json:"region"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

// srcRoot names the root of the repository (or, outside one, the current
// directory), against which file URIs are relative, as code scanning
// expects of a checkout's root, wherever in it kvlint ran.
const srcRoot = "%SRCROOT%"

// fingerprintKey names kvlint's partial fingerprint of a result: what
// stays the same when lines above it move (see fingerprints).
const fingerprintKey = "kvlintFinding/v1"

func printSARIF(w io.Writer, analyzers []*analysis.Analyzer, findings []*finding, failed []failure) error {
	version, semantic := sarifVersion(buildVersion())
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:            "kvlint",
			Version:         version,
			SemanticVersion: semantic,
			InformationURI:  "https://github.com/kvlint/kvlint",
		}},
		ColumnKind: "utf16CodeUnits",
		Results:    []sarifResult{}, // never null: no findings is a valid log
	}
	inv := sarifInvocation{ExecutionSuccessful: len(failed) == 0}
	for _, f := range failed {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarifNotification{Level: "error", Message: sarifMessage{oneLine(f.String())}})
	}
	run.Invocations = []sarifInvocation{inv}
	root := sourceRoot()
	if root != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{
			srcRoot: {URI: fileURI(root) + "/"},
		}
	}
	ruleIndex := make(map[string]int)
	for i, a := range analyzers {
		ruleIndex[a.Name] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:                   a.Name, // no name: SARIF wants it left out when it would be the id
			ShortDescription:     sarifMessage{summary(a)},
			FullDescription:      sarifMessage{strings.TrimSpace(a.Doc)},
			Help:                 sarifMessage{strings.TrimSpace(a.Doc)},
			HelpURI:              a.URL,
			DefaultConfiguration: sarifConfiguration{Level: "warning"},
		})
	}
	cols := columnConverter{root: root, lines: make(map[string][]string)}
	seen := make(map[string]int) // fingerprints so far, see fingerprint
	for _, f := range findings {
		res := sarifResult{
			RuleID:    f.analyzer,
			RuleIndex: ruleIndex[f.analyzer],
			Level:     "warning",
			Message:   sarifMessage{f.message},
			Locations: []sarifLocation{{PhysicalLocation: cols.location(f.posn, f.end)}},
		}
		res.PartialFingerprints = map[string]string{fingerprintKey: cols.fingerprint(f, seen)}
		for i, r := range f.related {
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID:               i + 1,
				PhysicalLocation: cols.location(r.posn, r.end),
				Message:          &sarifMessage{r.message},
			})
		}
		if f.url != "" {
			// SARIF has no per-result help link; the property bag is
			// its extension point.
			res.Properties = map[string]string{"helpUri": f.url}
		}
		run.Results = append(run.Results, res)
	}
	log := sarifLog{
		Version: "2.1.0",
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Runs:    []sarifRun{run},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// sarifVersion returns the driver's version as SARIF wants it, starting
// with a number ("0.0.0-devel" for a build from a checkout), and the
// semantic version when there is one.
func sarifVersion(v string) (version, semantic string) {
	if strings.HasPrefix(v, "v") && len(v) > 1 && v[1] >= '0' && v[1] <= '9' {
		return v[1:], v[1:]
	}
	return "0.0.0-devel", ""
}

// sourceRoot returns the root of the repository that holds the current
// directory, found by its .git, or else the current directory.
func sourceRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// artifact returns the location of a file: relative to %SRCROOT% when it
// is inside root, an absolute file URI otherwise.
func artifact(root, filename string) sarifArtifactLocation {
	if rel, ok := within(root, filename); ok && root != "" && filepath.IsAbs(filename) {
		return sarifArtifactLocation{URI: (&url.URL{Path: filepath.ToSlash(rel)}).String(), URIBaseID: srcRoot}
	}
	return sarifArtifactLocation{URI: fileURI(filename)}
}

func fileURI(path string) string {
	path = filepath.ToSlash(path)
	if !strings.HasPrefix(path, "/") {
		path = "/" + path // C:/x becomes file:///C:/x
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// A columnConverter turns Go's byte columns into the UTF-16 columns SARIF
// counts by default, and locations into URIs under root, reading each
// file once.
type columnConverter struct {
	root  string
	lines map[string][]string
}

func (c columnConverter) location(posn, end token.Position) sarifPhysicalLocation {
	return sarifPhysicalLocation{
		ArtifactLocation: artifact(c.root, posn.Filename),
		Region: sarifRegion{
			StartLine:   posn.Line,
			StartColumn: c.column(posn),
			EndLine:     end.Line,
			EndColumn:   c.column(end),
		},
	}
}

func (c columnConverter) column(p token.Position) int {
	line, ok := c.line(p)
	if !ok || p.Column < 1 || p.Column-1 > len(line) {
		return p.Column // on error, keep byte columns
	}
	return len(utf16.Encode([]rune(line[:p.Column-1]))) + 1
}

// line returns the text of p's line.
func (c columnConverter) line(p token.Position) (string, bool) {
	lines, ok := c.lines[p.Filename]
	if !ok {
		data, _ := os.ReadFile(p.Filename)
		lines = strings.Split(string(data), "\n")
		c.lines[p.Filename] = lines
	}
	if p.Line < 1 || p.Line > len(lines) {
		return "", false
	}
	return lines[p.Line-1], true
}

// fingerprint identifies f across runs, so that code scanning tracks it
// when lines above it move: a digest of its rule, file, message and the
// text of its line with spaces collapsed, and ":N" for the Nth finding
// with that digest. seen counts the digests so far.
func (c columnConverter) fingerprint(f *finding, seen map[string]int) string {
	line, _ := c.line(f.posn)
	h := sha256.New()
	for _, part := range []string{f.analyzer, artifact(c.root, f.posn.Filename).URI, f.message, strings.Join(strings.Fields(line), " ")} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	digest := hex.EncodeToString(h.Sum(nil)[:16])
	seen[digest]++
	return digest + ":" + strconv.Itoa(seen[digest])
}
