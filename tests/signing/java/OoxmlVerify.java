import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.Key;
import java.security.PublicKey;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.xml.XMLConstants;
import javax.xml.crypto.AlgorithmMethod;
import javax.xml.crypto.Data;
import javax.xml.crypto.KeySelector;
import javax.xml.crypto.KeySelectorException;
import javax.xml.crypto.KeySelectorResult;
import javax.xml.crypto.OctetStreamData;
import javax.xml.crypto.URIDereferencer;
import javax.xml.crypto.URIReference;
import javax.xml.crypto.URIReferenceException;
import javax.xml.crypto.XMLCryptoContext;
import javax.xml.crypto.XMLStructure;
import javax.xml.crypto.dsig.Manifest;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.XMLObject;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.keyinfo.X509Data;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Independent verifier of ECMA-376 Part 2 package signatures, built only on the JDK's own
 * XML-DSig API (javax.xml.crypto.dsig, Apache Santuario inside the JDK).
 *
 * Usage: java OoxmlVerify [--legacy] file.docx
 * (--legacy turns the JDK's secure validation off, for SHA-1 signatures of old Word files.)
 * Prints one line per _xmlsignatures/sigN.xml: "OK sigN.xml refs=3 manifest=N subject=..."
 * or "FAIL sigN.xml reason"; exit code 0 only when there is at least one signature and all
 * of them (SignedInfo references, the signature value and every Manifest reference) verify.
 * The OPC part references are resolved by OpcDereferencer and the Relationship transform by
 * RelationshipTransform, registered through OpcProvider. Trust is not checked here.
 */
public final class OoxmlVerify {

    private OoxmlVerify() {
    }

    public static void main(String[] args) throws Exception {
        Security.addProvider(new OpcProvider());
        boolean legacy = args.length > 1 && "--legacy".equals(args[0]);
        Map<String, byte[]> parts = readZip(args[args.length - 1]);
        List<String> signatures = new ArrayList<>();
        for (String name : parts.keySet()) {
            if (name.startsWith("_xmlsignatures/") && name.endsWith(".xml")) {
                signatures.add(name);
            }
        }
        boolean allOk = !signatures.isEmpty();
        if (signatures.isEmpty()) {
            System.out.println("FAIL no signature parts");
        }
        for (String name : signatures) {
            try {
                String result = verify(parts, parts.get(name), legacy);
                System.out.println("OK " + name + " " + result);
            } catch (Exception e) {
                allOk = false;
                System.out.println("FAIL " + name + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        System.exit(allOk ? 0 : 1);
    }

    static Map<String, byte[]> readZip(String path) throws Exception {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(Paths.get(path)))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (!entry.isDirectory()) {
                    parts.put(entry.getName(), zip.readAllBytes());
                }
            }
        }
        return parts;
    }

    static Document parse(byte[] xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    }

    static String verify(Map<String, byte[]> parts, byte[] sigXml, boolean legacy) throws Exception {
        Document doc = parse(sigXml);
        Element signature = doc.getDocumentElement();
        DOMValidateContext context = new DOMValidateContext(new CertificateKeySelector(), signature);
        context.setProperty("org.jcp.xml.dsig.secureValidation", !legacy);
        NodeList all = doc.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < all.getLength(); i++) {
            Element el = (Element) all.item(i);
            if (el.hasAttributeNS(null, "Id")) {
                context.setIdAttributeNS(el, null, "Id");
            }
        }
        XMLSignatureFactory factory = XMLSignatureFactory.getInstance("DOM");
        context.setURIDereferencer(new OpcDereferencer(parts, factory.getURIDereferencer()));
        XMLSignature xmlSignature = factory.unmarshalXMLSignature(context);
        boolean core = xmlSignature.validate(context);
        StringBuilder problems = new StringBuilder();
        if (!core) {
            if (!xmlSignature.getSignatureValue().validate(context)) {
                problems.append(" signature-value");
            }
            for (Object ref : xmlSignature.getSignedInfo().getReferences()) {
                Reference reference = (Reference) ref;
                if (!reference.validate(context)) {
                    problems.append(" reference=").append(reference.getURI());
                }
            }
        }
        int manifestCount = 0;
        for (Object o : xmlSignature.getObjects()) {
            for (Object content : ((XMLObject) o).getContent()) {
                if (content instanceof Manifest) {
                    for (Object ref : ((Manifest) content).getReferences()) {
                        Reference reference = (Reference) ref;
                        manifestCount++;
                        if (!reference.validate(context)) {
                            problems.append(" manifest=").append(reference.getURI());
                        }
                    }
                }
            }
        }
        if (manifestCount == 0) {
            problems.append(" empty-manifest");
        }
        if (problems.length() > 0) {
            throw new IllegalStateException("invalid:" + problems);
        }
        X509Certificate cert = ((CertificateKeySelector.Result) context.get("qujat.key")).certificate;
        return "refs=" + xmlSignature.getSignedInfo().getReferences().size()
            + " manifest=" + manifestCount
            + " subject=" + cert.getSubjectX500Principal().getName();
    }

    /** Resolves "/part/name?ContentType=..." to the part bytes; "#id" goes to the default. */
    static final class OpcDereferencer implements URIDereferencer {
        private final Map<String, byte[]> parts;
        private final URIDereferencer fallback;

        OpcDereferencer(Map<String, byte[]> parts, URIDereferencer fallback) {
            this.parts = parts;
            this.fallback = fallback;
        }

        @Override
        public Data dereference(URIReference reference, XMLCryptoContext context) throws URIReferenceException {
            String uri = reference.getURI();
            if (uri == null || uri.startsWith("#") || uri.isEmpty()) {
                return fallback.dereference(reference, context);
            }
            String path = uri;
            int query = path.indexOf('?');
            if (query >= 0) {
                path = path.substring(0, query);
            }
            path = URLDecoder.decode(path, StandardCharsets.UTF_8);
            if (path.startsWith("/")) {
                path = path.substring(1);
            }
            byte[] data = parts.get(path);
            if (data == null) {
                throw new URIReferenceException("part not found: " + uri);
            }
            return new OctetStreamData(new ByteArrayInputStream(data), uri, null);
        }
    }

    /** Takes the signer's key from the X509Certificate in KeyInfo (trust is checked elsewhere). */
    static final class CertificateKeySelector extends KeySelector {
        static final class Result implements KeySelectorResult {
            final X509Certificate certificate;

            Result(X509Certificate certificate) {
                this.certificate = certificate;
            }

            @Override
            public Key getKey() {
                return certificate.getPublicKey();
            }
        }

        @Override
        public KeySelectorResult select(KeyInfo keyInfo, Purpose purpose, AlgorithmMethod method,
                                        XMLCryptoContext context) throws KeySelectorException {
            if (keyInfo == null) {
                throw new KeySelectorException("no KeyInfo");
            }
            for (Object item : keyInfo.getContent()) {
                if (item instanceof X509Data) {
                    for (Object data : ((X509Data) item).getContent()) {
                        if (data instanceof X509Certificate) {
                            Result result = new Result((X509Certificate) data);
                            context.put("qujat.key", result);
                            return result;
                        }
                    }
                }
            }
            throw new KeySelectorException("no X509Certificate in KeyInfo");
        }
    }
}
