/**
 * The words on the demo pages: a fictitious supplier invoice (front) and its
 * terms and conditions (back). Names, addresses and account numbers are made
 * up and use reserved example domains.
 */

export const COMPANY = {
  name: 'Northwind Office Supplies',
  tagline: 'Paper · Toner · Office furniture · Since 1987',
  address: 'Harbour Road 12 · 20457 Hamburg · Germany',
  contact: '+49 40 555 0199 · accounts@northwind.example · northwind.example',
  senderLine: 'Northwind Office Supplies GmbH · Harbour Road 12 · 20457 Hamburg',
  footer: [
    ['Northwind Office Supplies GmbH · Harbour Road 12 · Hamburg', 'Managing director: A. Lindqvist · Hamburg HRB 123456'],
    ['Hanseatic Demo Bank · IBAN DE00 2005 0000 1234 5678 90', 'BIC HDBADEHHXXX · VAT ID DE 123 456 789'],
  ],
} as const;

export const INVOICE = {
  facts: [
    ['Date', '14 March 2025'],
    ['Customer no.', 'C-10442'],
    ['Order', 'PO-88213'],
    ['Due date', '13 April 2025'],
  ],
  billTo: ['Ms. Jane Doe', 'Accounts Payable', 'Contoso Manufacturing GmbH', 'Industriestraße 7', '70565 Stuttgart', 'Germany'],
  shipTo: ['Contoso Manufacturing GmbH', 'Goods receiving, gate 3', 'Industriestraße 7', '70565 Stuttgart'],
  subject: 'Invoice for your order PO-88213 of 3 March 2025',
  greeting: 'Dear Ms. Doe,',
  body: [
    'thank you for your order. As agreed, we invoice the goods listed below, delivered to your receiving gate on 12 March 2025. ' +
      'Please transfer the total amount within 30 days, quoting the invoice number, to the account shown at the foot of this page.',
    'Questions about this invoice? Call our accounts team or scan the code below; it also identifies this very page.',
  ],
  columns: ['Pos.', 'Item no.', 'Description', 'Qty', 'Unit price', 'Amount'],
  items: [
    ['1', 'PA-80-A4', 'Copy paper A4, 80 g/m², box of 5 reams', '12', '24.90', '298.80'],
    ['2', 'TN-2420', 'Toner cartridge, black, high yield', '4', '67.50', '270.00'],
    ['3', 'FL-1120', 'Lever arch file, 80 mm, blue', '40', '2.35', '94.00'],
    ['4', 'DC-77', 'Ergonomic desk chair "Harbour"', '2', '289.00', '578.00'],
    ['5', 'ST-HD15', 'Heavy-duty stapler, 100 sheets', '3', '31.20', '93.60'],
    ['6', 'SV-DEL', 'Delivery and installation', '1', '45.00', '45.00'],
  ],
  totals: [
    ['Subtotal', '1,379.40 €'],
    ['VAT 19 %', '262.09 €'],
    ['Total', '1,641.49 €'],
  ],
  closing: 'Kind regards,',
  signer: 'Martin Keller · Accounts Receivable',
  payTitle: 'Payment reference',
  payHint:
    'Scan the QR code with your banking app to pay this invoice, or quote the reference above with your transfer. Both codes change from sheet to sheet.',
  caption: 'Fig. 1 – Our showroom by the lake, open Monday to Saturday.',
} as const;

export const TERMS = {
  title: 'General Terms and Conditions of Sale and Delivery',
  subtitle: 'Version 4.2 · valid from 1 January 2025 · These terms form part of every quotation, order and invoice.',
  clauses: [
    ['§ 1 Scope', 'These terms apply to all contracts for the sale and delivery of goods between Northwind Office Supplies GmbH (the supplier) and its business customers. Conflicting terms of the customer do not apply unless the supplier expressly agrees to them in writing.'],
    ['§ 2 Offers and orders', 'Offers in catalogues and on the website are not binding. An order becomes binding when the supplier confirms it in writing or delivers the goods. The supplier may decline orders without giving reasons.'],
    ['§ 3 Prices and payment', 'Prices are in euro plus the statutory value added tax. Invoices are payable within 30 days of the invoice date without deduction. A discount of 2 % applies to payments received within 10 days. Late payments bear interest at the statutory rate.'],
    ['§ 4 Delivery', 'Delivery dates are estimates unless agreed as fixed. Partial deliveries are permitted where reasonable for the customer. The risk passes to the customer when the goods are handed over at the agreed place of delivery.'],
    ['§ 5 Retention of title', 'The goods remain the property of the supplier until all claims arising from the business relationship are paid in full. The customer may resell the goods in the ordinary course of business and hereby assigns the resulting claims to the supplier.'],
    ['§ 6 Inspection and complaints', 'The customer shall inspect the goods immediately upon receipt and report visible defects within seven days, hidden defects within seven days of their discovery. Complaints must describe the defect and quote the invoice number.'],
    ['§ 7 Warranty', 'The supplier warrants that the goods are free from defects for twelve months from delivery. At its choice the supplier repairs or replaces defective goods. If the remedy fails twice, the customer may reduce the price or withdraw from the contract.'],
    ['§ 8 Liability', 'The supplier is liable without limitation for intent and gross negligence and for injury to life, body or health. For slight negligence it is liable only for breach of essential contractual obligations and limited to the foreseeable damage typical for the contract.'],
    ['§ 9 Returns', 'Stock items in their original, unopened packaging may be returned within 14 days against a credit note, less a handling fee of 10 %. Custom-made goods and opened consumables cannot be returned.'],
    ['§ 10 Data protection', 'The supplier processes personal data of the customer only to perform the contract and to meet legal obligations. Details are given in the privacy notice at northwind.example/privacy, which the customer may request in print at any time.'],
    ['§ 11 Place of jurisdiction', 'The place of performance and jurisdiction is Hamburg. The law of the Federal Republic of Germany applies, excluding the UN Convention on Contracts for the International Sale of Goods.'],
    ['§ 12 Severability', 'Should any provision of these terms be or become invalid, the validity of the remaining provisions is not affected. The invalid provision shall be replaced by a valid one that comes closest to its economic purpose.'],
  ],
  acknowledgement: 'Received and acknowledged (place, date, signature):',
} as const;
