"""Writes a small BOM with cyclonedx-python-lib, as a supplier would, in every version
and encoding `palisade sbom ingest` validates: OUT/bom-1.{4,5,6}.{json,xml}."""
import sys
from pathlib import Path

from cyclonedx.model import HashAlgorithm, HashType
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL

out = Path(sys.argv[1])
bom = Bom()
bom.metadata.component = root = Component(
    name="acme-agent", version="2.1.0", type=ComponentType.APPLICATION, bom_ref="root")
deps = []
for i, (name, version, lic) in enumerate(
        [("left-pad", "1.3.0", "MIT"), ("lodash", "4.17.21", "MIT"),
         ("requests", "2.32.3", "Apache-2.0"), ("serde", "1.0.200", "MIT OR Apache-2.0")]):
    eco = ["npm", "npm", "pypi", "cargo"][i]
    licence = (LicenseExpression(lic) if " " in lic else DisjunctiveLicense(id=lic))
    c = Component(
        name=name, version=version, type=ComponentType.LIBRARY, bom_ref=f"c{i}",
        purl=PackageURL(type=eco, name=name, version=version),
        licenses=[licence], scope=ComponentScope.REQUIRED,
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content="ab" * 32)])
    bom.components.add(c)
    deps.append(c)
bom.register_dependency(root, deps)
for v in (SchemaVersion.V1_4, SchemaVersion.V1_5, SchemaVersion.V1_6):
    for fmt, ext in ((OutputFormat.JSON, "json"), (OutputFormat.XML, "xml")):
        text = make_outputter(bom, fmt, v).output_as_string(indent=2)
        (out / f"bom-{v.to_version()}.{ext}").write_text(text)
print("ok")
