package proceedings

// reuseNotice travels with every exported paper so that mirrors which only
// copy keys and metadata still carry the terms.
const reuseNotice = "This paper is part of the conference proceedings published through Lattice on behalf of the " +
	"organising committee. The authors retain copyright in their work. The paper is made available under an " +
	"open licence that permits copying and redistribution in any medium or format, and adapting, remixing and " +
	"building upon the material for any purpose, including commercial use, on the condition that appropriate " +
	"credit is given to the authors and to the conference, that a link to the licence is provided, and that any " +
	"changes made are indicated in a reasonable manner that does not suggest the authors or the conference endorse " +
	"the reuser or the use. No additional restrictions may be applied that legally restrict others from doing " +
	"anything the licence permits. Third-party material reproduced in the paper, such as figures, photographs or " +
	"data sets, may be subject to separate terms stated next to that material; where such material is not covered " +
	"by this licence, permission must be obtained from the rights holder directly. The conference and the platform " +
	"provide the paper as is and make no representations or warranties of any kind concerning it. Questions about " +
	"reuse, corrections or retractions should be addressed to the proceedings chairs listed on the conference site."
