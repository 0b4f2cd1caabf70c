package wire

// The agency's "everything for our region" feed. The query string is what
// their feed builder produced; we keep it verbatim so support can reproduce.
const regionalFeedURL = "https://feeds.example-wire.com/v3/content/search?" +
	"subjects=politics,economy,business,markets,energy,climate,environment,health,science,technology," +
	"education,crime,courts,justice,immigration,transport,housing,agriculture,labour,defence,diplomacy" +
	"&regions=uk,ie,fr,de,nl,be,lu,es,pt,it,ch,at,dk,se,no,fi,is,pl,cz,sk,hu,si,hr,ro,bg,gr,cy,mt,ee,lv,lt" +
	"&media=text,picture,graphic&priority=1,2,3,4&language=en&includeEmbargoed=true&includeCorrections=true" +
	"&fields=headline,byline,dateline,body_html,abstract,keywords,located,urgency,pubstatus,embargoed,signals" +
	"&sort=versioncreated:desc&pageSize=100&apiVersion=2024-11-01&client=newsroom-edge-worker"

// feedSnapshotKey caches the last raw response of the regional feed.
const feedSnapshotKey = "wire:feed:" + regionalFeedURL
