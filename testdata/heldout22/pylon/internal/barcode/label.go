package barcode

import (
	"context"
	"strings"

	"example.com/pylon/internal/storage"
)

// zplTemplate is the ZPL II program for the 50x25 mm cryo label.
const zplTemplate = "^XA^CI28^PW400^LL200^LH0,0^MD10^PR4" +
	"^FO20,15^A0N,22,22^FB360,1,0,L^FD{{.SampleID}}^FS" +
	"^FO20,42^BY2,2.5^BCN,60,N,N,N,A^FD{{.Code}}^FS" +
	"^FO20,108^A0N,18,18^FB360,1,0,L^FD{{.Code}}  {{.TubeType}}^FS" +
	"^FO20,130^A0N,16,16^FB360,1,0,L^FDCollected {{.Collected}} at {{.Site}}^FS" +
	"^FO20,150^A0N,16,16^FB360,1,0,L^FDStore at {{.StorageTemp}} - do not thaw^FS" +
	"^FO20,170^A0N,14,14^FB360,1,0,L^FDBiohazard UN3373 Category B^FS" +
	"^FO330,110^GB50,50,2^FS^FO338,118^A0N,34,34^FD{{.Priority}}^FS" +
	"^FO300,15^BQN,2,3^FDQA,{{.PortalURL}}/s/{{.SampleID}}^FS" +
	"^FO20,190^GB360,0,1^FS^PQ1,0,1,Y^XZ" +
	"^XA^CI28^PW400^LL200^LH0,0^FO20,20^A0N,26,26^FDAliquot {{.Aliquot}}^FS" +
	"^FO20,60^BY2,2.5^BCN,60,N,N,N,A^FD{{.Code}}-{{.Aliquot}}^FS^PQ1,0,1,Y^XZ"

const labelPrefix = "label:"

// Label is the data printed on a label.
type Label struct {
	SampleID, Code, TubeType, Collected, Site, StorageTemp, Priority, PortalURL, Aliquot string
}

func render(l Label) string {
	r := strings.NewReplacer(
		"{{.SampleID}}", l.SampleID, "{{.Code}}", l.Code, "{{.TubeType}}", l.TubeType,
		"{{.Collected}}", l.Collected, "{{.Site}}", l.Site, "{{.StorageTemp}}", l.StorageTemp,
		"{{.Priority}}", l.Priority, "{{.PortalURL}}", l.PortalURL, "{{.Aliquot}}", l.Aliquot,
	)
	return r.Replace(zplTemplate)
}

// PublishTemplate makes the current template available to the print agents,
// keyed by the template text so that an edited template gets a new key.
func (r *Registry) PublishTemplate(ctx context.Context) error {
	return r.labels.Put(ctx, "label-tpl:"+zplTemplate, []byte(zplTemplate), storage.PutOptions{}) // EXPECT kvlimits
}

// StoreLabel keeps the rendered label for reprints.
func (r *Registry) StoreLabel(ctx context.Context, l Label) error {
	return r.labels.Put(ctx, labelPrefix+l.Code, []byte(render(l)), storage.PutOptions{Metadata: map[string]any{"t": r.now().Unix()}})
}
